using System.Text.Json.Nodes;

namespace CareBot.LocalBotApi;

/// <summary>
/// Telegram.Bot's serializer leaves out fields at their default value; Telegram itself always sends a
/// few of them. This puts those back so raw-JSON readers see what Telegram sends.
/// </summary>
internal static class TelegramJson
{
    private static readonly string[] UserKeys = ["from", "user"];

    public static void AddAlwaysPresentFields(JsonNode? node)
    {
        switch (node)
        {
            case JsonArray array:
                foreach (var item in array)
                {
                    AddAlwaysPresentFields(item);
                }

                break;
            case JsonObject obj:
                foreach (var key in UserKeys)
                {
                    if (obj[key] is JsonObject user)
                    {
                        user.TryAdd("is_bot", false);
                    }
                }

                if (obj["sticker"] is JsonObject sticker)
                {
                    sticker.TryAdd("is_animated", false);
                    sticker.TryAdd("is_video", false);
                }

                foreach (var (_, child) in obj)
                {
                    if (child is JsonObject or JsonArray)
                    {
                        AddAlwaysPresentFields(child);
                    }
                }

                break;
        }
    }
}
