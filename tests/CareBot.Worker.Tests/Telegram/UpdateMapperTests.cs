using CareBot.Tests.Shared;
using CareBot.Core.Chat;
using CareBot.Core.Model;
using CareBot.Worker.Telegram;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace CareBot.Worker.Tests.Telegram;

public sealed class UpdateMapperTests
{
    private static readonly User Someone = new() { Id = 42, FirstName = "张", LanguageCode = "en" };

    [Fact]
    public void Text_reply_button_edit_and_block_map_to_the_channel_agnostic_message()
    {
        var text = UpdateMapper.Map(new Update { Id = 1, Message = new Message { Id = 10, Chat = new Chat { Id = 42, Type = ChatType.Private }, From = Someone, Text = "/mine", ReplyToMessage = new Message { Id = 9, Chat = new Chat { Id = 42 } } } })!;
        Assert.Equal((IncomingKind.Text, "telegram:42", "/mine", 9, "en"), (text.Kind, text.Chat.ToString(), text.Text, text.ReplyToMessageId, text.LanguageCode));

        var sticker = UpdateMapper.Map(new Update { Id = 2, Message = new Message { Id = 11, Chat = new Chat { Id = 42, Type = ChatType.Private }, From = Someone } })!;
        Assert.Equal(IncomingKind.Other, sticker.Kind);

        var edited = UpdateMapper.Map(new Update { Id = 3, EditedMessage = new Message { Id = 10, Chat = new Chat { Id = 42, Type = ChatType.Private }, Text = "/visit 1 x" } })!;
        Assert.Equal(IncomingKind.Edited, edited.Kind);

        var button = UpdateMapper.Map(new Update { Id = 4, CallbackQuery = new CallbackQuery { Id = "cb", From = Someone, Data = "visited:S1", Message = new Message { Id = 12, Chat = new Chat { Id = 42, Type = ChatType.Private } } } })!;
        Assert.Equal((IncomingKind.Button, "visited:S1", 12, "cb"), (button.Kind, button.ButtonData, button.ButtonMessageId, button.CallbackId));

        var group = UpdateMapper.Map(new Update { Id = 5, Message = new Message { Id = 13, Chat = new Chat { Id = -100, Type = ChatType.Group }, From = Someone, Text = "/mine" } })!;
        Assert.Equal((ChatKind.Group, "telegram:-100"), (group.ChatKind, group.Chat.ToString()));
        Assert.Equal(-100, TelegramChat.IdOf(group.Chat)); // the adapter takes the id back out for the Bot API

        var blocked = UpdateMapper.Map(new Update { Id = 6, MyChatMember = new ChatMemberUpdated { Chat = new Chat { Id = 42, Type = ChatType.Private }, From = Someone, NewChatMember = new ChatMemberBanned { User = Someone } } })!;
        Assert.Equal((IncomingKind.BlockedBot, 42L), (blocked.Kind, blocked.TelegramId));

        var unblocked = UpdateMapper.Map(new Update { Id = 7, MyChatMember = new ChatMemberUpdated { Chat = new Chat { Id = 42, Type = ChatType.Private }, From = Someone, NewChatMember = new ChatMemberMember { User = Someone } } })!;
        Assert.Equal((IncomingKind.UnblockedBot, 42L), (unblocked.Kind, unblocked.TelegramId)); // reachable again
    }

    [Fact]
    public void A_photo_maps_to_its_largest_size_with_caption_and_a_voice_note_to_its_file_reference()
    {
        var chat = new Chat { Id = 42, Type = ChatType.Private };
        PhotoSize[] sizes =
        [
            new() { FileId = "small", FileUniqueId = "u-small", Width = 90, Height = 90, FileSize = 1_000 },
            new() { FileId = "large", FileUniqueId = "u-large", Width = 1280, Height = 960, FileSize = 90_000 },
            new() { FileId = "mid", FileUniqueId = "u-mid", Width = 320, Height = 240, FileSize = 9_000 },
        ];
        var photo = UpdateMapper.Map(new Update { Id = 1, Message = new Message { Id = 20, Chat = chat, From = Someone, Photo = sizes, Caption = "/visit 1 家访" } })!;
        Assert.Equal((IncomingKind.Media, "/visit 1 家访", 20), (photo.Kind, photo.Text, photo.MessageId));
        Assert.Equal((MediaKind.Photo, "large", "u-large", 90_000L), (photo.Media!.Kind, photo.Media.FileId, photo.Media.FileUniqueId, photo.Media.Size));

        var voice = UpdateMapper.Map(new Update { Id = 2, Message = new Message { Id = 21, Chat = chat, From = Someone, Voice = new Voice { FileId = "v1", FileUniqueId = "uv1", Duration = 7, FileSize = 5_000 } } })!;
        Assert.Equal((IncomingKind.Media, MediaKind.Voice, "v1", 7), (voice.Kind, voice.Media!.Kind, voice.Media.FileId, voice.Media.DurationSeconds));

        var sticker = UpdateMapper.Map(new Update { Id = 3, Message = new Message { Id = 22, Chat = chat, From = Someone, Sticker = new Sticker { FileId = "s", FileUniqueId = "us", Emoji = "👍" } } })!;
        Assert.Equal((IncomingKind.Other, MediaKind.Other), (sticker.Kind, sticker.Media!.Kind));
    }
}
