using CareBot.Core.Model;
using CareBot.Worker.Delivery;
using Microsoft.Extensions.Options;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types;
using Telegram.Bot.Types.ReplyMarkups;

namespace CareBot.Worker.Telegram;

/// <summary>Sends through Telegram.Bot's SendMessage and turns its answers into <see cref="SendOutcome"/>s.</summary>
public sealed class TelegramChatSender(ITelegramBotClient bot, IOptions<DeliveryOptions> options) : IChatSender
{
    public string Channel => TelegramChat.ChannelName;

    public Task<SendOutcome> SendAsync(ChatAddress chat, string text, IReadOnlyList<OutButton> buttons, CancellationToken cancellationToken)
    {
        var chatId = TelegramChat.IdOf(chat);
        var markup = Markup(buttons);
        return CallAsync(async ct => (await bot.SendMessage(chatId, text, replyMarkup: markup, cancellationToken: ct).ConfigureAwait(false)).Id, cancellationToken);
    }

    public Task<SendOutcome> SendMediaAsync(ChatAddress chat, OutMedia media, string caption, IReadOnlyList<OutButton> buttons, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(media);
        var chatId = TelegramChat.IdOf(chat);
        var markup = Markup(buttons);
        var text = string.IsNullOrEmpty(caption) ? null : caption;
        return media.Kind switch
        {
            OutMediaKind.Photo => CallAsync(async ct => (await bot.SendPhoto(chatId, InputFile.FromFileId(media.FileId!), text, replyMarkup: markup, cancellationToken: ct).ConfigureAwait(false)).Id, cancellationToken),
            OutMediaKind.Voice => CallAsync(async ct => (await bot.SendVoice(chatId, InputFile.FromFileId(media.FileId!), text, replyMarkup: markup, cancellationToken: ct).ConfigureAwait(false)).Id, cancellationToken),
            OutMediaKind.Album => CallAsync(async ct => (await bot.SendMediaGroup(chatId, media.Album.Select(a => new InputMediaPhoto(InputFile.FromFileId(a.FileId)) { Caption = a.Caption }), cancellationToken: ct).ConfigureAwait(false))[0].Id, cancellationToken),
            OutMediaKind.Copy => CallAsync(async ct => (await bot.CopyMessage(chatId, TelegramChat.IdOf(media.CopyFrom!), media.CopyMessageId!.Value, text, replyMarkup: markup, cancellationToken: ct).ConfigureAwait(false)).Id, cancellationToken),
            _ => Task.FromResult(new SendOutcome(SendStatus.Permanent, Error: "unknown media kind")),
        };
    }

    public async Task<SendOutcome> EditAsync(ChatAddress chat, int messageId, string text, IReadOnlyList<OutButton> buttons, CancellationToken cancellationToken)
    {
        var chatId = TelegramChat.IdOf(chat);
        var markup = Markup(buttons);
        var outcome = await CallAsync(async ct => (await bot.EditMessageText(chatId, messageId, text, replyMarkup: markup, cancellationToken: ct).ConfigureAwait(false)).Id, cancellationToken).ConfigureAwait(false);

        // Telegram refuses an edit to the text and buttons the message already has: it shows what was wanted.
        return outcome is { Status: SendStatus.Permanent, Error: { } error } && error.Contains("message is not modified", StringComparison.OrdinalIgnoreCase)
            ? new SendOutcome(SendStatus.Sent, messageId)
            : outcome;
    }

    private static InlineKeyboardMarkup? Markup(IReadOnlyList<OutButton> buttons)
    {
        ArgumentNullException.ThrowIfNull(buttons);
        return buttons.Count == 0
            ? null
            : new InlineKeyboardMarkup(buttons.Select(b => new[] { InlineKeyboardButton.WithCallbackData(b.Text, b.Data) }));
    }

    /// <summary>One call to the Bot API under the send time-out, its answer turned into a <see cref="SendOutcome"/>.</summary>
    private async Task<SendOutcome> CallAsync(Func<CancellationToken, Task<int>> call, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.Value.SendTimeoutSeconds));
        try
        {
            var id = await call(timeout.Token).ConfigureAwait(false);
            return new SendOutcome(SendStatus.Sent, id);
        }
        catch (ApiRequestException ex) when (ex.ErrorCode == 429)
        {
            var seconds = ex.Parameters?.RetryAfter ?? 1;
            return new SendOutcome(SendStatus.RateLimited, RetryAfter: TimeSpan.FromSeconds(Math.Max(1, seconds)), Error: "429");
        }
        catch (ApiRequestException ex) when (ex.ErrorCode == 403)
        {
            return new SendOutcome(SendStatus.Blocked, Error: "403");
        }
        catch (ApiRequestException ex) when (ex.ErrorCode >= 500)
        {
            return new SendOutcome(SendStatus.Transient, Error: ex.ErrorCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (ApiRequestException ex)
        {
            return new SendOutcome(SendStatus.Permanent, Error: $"{ex.ErrorCode}: {Trim(ex.Message)}");
        }
        catch (RequestException ex)
        {
            // Telegram.Bot wraps HTTP failures (connection refused, bad status without a JSON body).
            return new SendOutcome(SendStatus.Transient, Error: ex.HttpStatusCode is { } code ? ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture) : ex.GetType().Name);
        }
        catch (HttpRequestException ex)
        {
            return new SendOutcome(SendStatus.Transient, Error: ex.GetType().Name);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new SendOutcome(SendStatus.Transient, Error: "timeout");
        }
    }

    private static string Trim(string message) => message.Length > 200 ? message[..200] : message;
}
