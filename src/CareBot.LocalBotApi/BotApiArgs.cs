using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Telegram.Bot;

namespace CareBot.LocalBotApi;

/// <summary>
/// The parameters of one Bot API call, read the ways Telegram reads them: query string, JSON body,
/// form-urlencoded or multipart body (where objects such as reply_markup arrive as JSON text).
/// </summary>
internal sealed class BotApiArgs
{
    private readonly Dictionary<string, JsonNode?> _values;
    private readonly HashSet<string> _uploads;

    private BotApiArgs(Dictionary<string, JsonNode?> values, HashSet<string>? uploads = null)
    {
        _values = values;
        _uploads = uploads ?? [];
    }

    public static BotApiArgs Of(params (string Name, object? Value)[] values)
    {
        var map = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var (name, value) in values)
        {
            map[name] = value is null ? null : JsonSerializer.SerializeToNode(value, value.GetType(), JsonBotAPI.Options);
        }

        return new BotApiArgs(map);
    }

    public static async Task<BotApiArgs> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        var map = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        var uploads = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, value) in request.Query)
        {
            map[name] = JsonValue.Create(value.ToString());
        }

        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(ct);
            foreach (var (name, value) in form)
            {
                map[name] = JsonValue.Create(value.ToString());
            }

            foreach (var file in form.Files)
            {
                uploads.Add(file.Name);
            }
        }
        else if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            JsonNode? body;
            try
            {
                body = await JsonNode.ParseAsync(request.Body, cancellationToken: ct);
            }
            catch (JsonException ex)
            {
                throw new BotApiException("Bad Request: can't parse JSON object", ex);
            }

            if (body is JsonObject obj)
            {
                foreach (var name in obj.Select(p => p.Key).ToList())
                {
                    var value = obj[name];
                    obj.Remove(name);
                    map[name] = value;
                }
            }
            else if (body is not null)
            {
                throw BotApiException.BadRequest("parameters must be a JSON object");
            }
        }

        return new BotApiArgs(map, uploads);
    }

    /// <summary>Whether a multipart body carried a file part of this name (the local server keeps no uploads).</summary>
    public bool HasUpload(string name) => _uploads.Contains(name);

    public bool Has(string name) => _values.TryGetValue(name, out var v) && v is not null;

    public string? String(string name)
    {
        if (!_values.TryGetValue(name, out var node) || node is null)
        {
            return null;
        }

        return node is JsonValue value && value.TryGetValue<string>(out var text) ? text : node.ToJsonString();
    }

    public long? Long(string name)
    {
        if (!_values.TryGetValue(name, out var node) || node is null)
        {
            return null;
        }

        if (node is JsonValue value)
        {
            if (value.TryGetValue<long>(out var number))
            {
                return number;
            }

            if (value.TryGetValue<string>(out var text)
                && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out number))
            {
                return number;
            }

            if (value.TryGetValue<double>(out var real) && real == Math.Floor(real))
            {
                return (long)real;
            }
        }

        throw BotApiException.BadRequest($"invalid {name} specified");
    }

    public int? Int(string name)
    {
        var value = Long(name);
        return value is null ? null : (int)Math.Clamp(value.Value, int.MinValue, int.MaxValue);
    }

    public bool Bool(string name)
    {
        if (!_values.TryGetValue(name, out var node) || node is null)
        {
            return false;
        }

        if (node is JsonValue value && value.TryGetValue<bool>(out var flag))
        {
            return flag;
        }

        var text = String(name);
        return text is "true" or "True" or "1";
    }

    /// <summary>A chat_id: an integer, or "@username" which the local server never knows.</summary>
    public long ChatId(string name = "chat_id")
    {
        if (!Has(name))
        {
            throw BotApiException.BadRequest("chat_id is empty");
        }

        try
        {
            return Long(name)!.Value;
        }
        catch (BotApiException)
        {
            throw BotApiException.BadRequest("chat not found");
        }
    }

    /// <summary>The chat_id when it is a number, else null; never throws (for the call log).</summary>
    public long? ChatIdIfAny()
    {
        try
        {
            return Long("chat_id");
        }
        catch (BotApiException)
        {
            return null;
        }
    }

    /// <summary>An object parameter, given as JSON or as JSON text; null when absent.</summary>
    public JsonNode? Json(string name, string errorWhat)
    {
        if (!_values.TryGetValue(name, out var node) || node is null)
        {
            return null;
        }

        if (node is JsonValue value && value.TryGetValue<string>(out var text))
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                return null;
            }

            try
            {
                return JsonNode.Parse(text);
            }
            catch (JsonException ex)
            {
                throw new BotApiException($"Bad Request: can't parse {errorWhat} JSON object", ex);
            }
        }

        return node;
    }

    public T? Object<T>(string name, string errorWhat)
        where T : class
    {
        var node = Json(name, errorWhat);
        if (node is null)
        {
            return null;
        }

        try
        {
            return node.Deserialize<T>(JsonBotAPI.Options);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or NotSupportedException)
        {
            throw new BotApiException($"Bad Request: can't parse {errorWhat} JSON object", ex);
        }
    }

    public IReadOnlyList<string>? StringArray(string name)
    {
        var node = Json(name, name);
        return node switch
        {
            null => null,
            JsonArray array when array.All(item => item is JsonValue v && v.TryGetValue<string>(out _)) =>
                [.. array.Select(item => item!.GetValue<string>())],
            _ => throw BotApiException.BadRequest($"can't parse {name}"),
        };
    }
}
