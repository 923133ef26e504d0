using CareBot.Core.Chat;
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
        Assert.Equal((IncomingKind.Text, 42L, "/mine", 9, "en"), (text.Kind, text.ChatId, text.Text, text.ReplyToMessageId, text.LanguageCode));

        var sticker = UpdateMapper.Map(new Update { Id = 2, Message = new Message { Id = 11, Chat = new Chat { Id = 42, Type = ChatType.Private }, From = Someone } })!;
        Assert.Equal(IncomingKind.Other, sticker.Kind);

        var edited = UpdateMapper.Map(new Update { Id = 3, EditedMessage = new Message { Id = 10, Chat = new Chat { Id = 42, Type = ChatType.Private }, Text = "/visit 1 x" } })!;
        Assert.Equal(IncomingKind.Edited, edited.Kind);

        var button = UpdateMapper.Map(new Update { Id = 4, CallbackQuery = new CallbackQuery { Id = "cb", From = Someone, Data = "visited:S1", Message = new Message { Id = 12, Chat = new Chat { Id = 42, Type = ChatType.Private } } } })!;
        Assert.Equal((IncomingKind.Button, "visited:S1", 12, "cb"), (button.Kind, button.ButtonData, button.ButtonMessageId, button.CallbackId));

        var group = UpdateMapper.Map(new Update { Id = 5, Message = new Message { Id = 13, Chat = new Chat { Id = -100, Type = ChatType.Group }, From = Someone, Text = "/mine" } })!;
        Assert.Equal(ChatKind.Group, group.ChatKind);

        var blocked = UpdateMapper.Map(new Update { Id = 6, MyChatMember = new ChatMemberUpdated { Chat = new Chat { Id = 42, Type = ChatType.Private }, From = Someone, NewChatMember = new ChatMemberBanned { User = Someone } } })!;
        Assert.Equal((IncomingKind.BlockedBot, 42L), (blocked.Kind, blocked.ChatId));

        var unblocked = UpdateMapper.Map(new Update { Id = 7, MyChatMember = new ChatMemberUpdated { Chat = new Chat { Id = 42, Type = ChatType.Private }, From = Someone, NewChatMember = new ChatMemberMember { User = Someone } } });
        Assert.Null(unblocked); // they come back with /start, which the bot answers
    }
}
