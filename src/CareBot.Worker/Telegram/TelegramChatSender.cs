using CareBot.Core.Model;
using CareBot.Worker.Delivery;
using Microsoft.Extensions.Options;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types.ReplyMarkups;

namespace CareBot.Worker.Telegram;

/// <summary>Sends through Telegram.Bot's SendMessage and turns its answers into <see cref="SendOutcome"/>s.</summary>
public sealed class TelegramChatSender(ITelegramBotClient bot, IOptions<DeliveryOptions> options) : IChatSender
{
    public async Task<SendOutcome> SendAsync(long chatId, string text, IReadOnlyList<OutButton> buttons, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(buttons);
        InlineKeyboardMarkup? markup = buttons.Count == 0
            ? null
            : new InlineKeyboardMarkup(buttons.Select(b => new[] { InlineKeyboardButton.WithCallbackData(b.Text, b.Data) }));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.Value.SendTimeoutSeconds));
        try
        {
            var message = await bot.SendMessage(chatId, text, replyMarkup: markup, cancellationToken: timeout.Token).ConfigureAwait(false);
            return new SendOutcome(SendStatus.Sent, message.Id);
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
