using CareBot.Core;
using CareBot.Core.Storage;
using LiteDB;

namespace CareBot.Storage.LiteDb;

/// <summary>The steps that move a database written by an older CareBot to the current schema, on raw documents.</summary>
internal static class SchemaUpgrades
{
    /// <summary>
    /// Schema 2, schools: each child keyed by its 学号 alone gets the key <c>{school}/{学号}</c>, with SchoolId and
    /// StudentNo; pairings, records, audit entries and outbox rows follow (and weekly-update keys, so a week already
    /// planned is not planned again); mentors belong to <paramref name="school"/>. Children already keyed are left.
    /// </summary>
    public static void ToSchools(LiteDatabase db, string school)
    {
        var children = db.GetCollection("children");
        var moved = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var doc in children.FindAll().ToList())
        {
            var id = doc["_id"].AsString;
            if (id.Contains('/', StringComparison.Ordinal))
            {
                continue;
            }

            var key = SchoolDirectory.ChildKey(school, id);
            moved[id] = key;
            children.Delete(id);
            doc["_id"] = key;
            doc["SchoolId"] = school;
            doc["StudentNo"] = id;
            children.Insert(doc);
        }

        if (moved.Count == 0)
        {
            return;
        }

        foreach (var name in new[] { "pairings", "records", "audit", "outbox" })
        {
            var collection = db.GetCollection(name);
            foreach (var doc in collection.Find(Query.Not("ChildId", BsonValue.Null)).ToList())
            {
                if (doc["ChildId"].IsString && moved.TryGetValue(doc["ChildId"].AsString, out var key))
                {
                    doc["ChildId"] = key;
                    if (name == "outbox" && doc["Key"].IsString)
                    {
                        doc["Key"] = RekeyOutbox(doc["Key"].AsString, moved);
                    }

                    collection.Update(doc);
                }
            }
        }

        var people = db.GetCollection("people");
        foreach (var doc in people.FindAll().ToList())
        {
            if (doc["Roles"].IsString && doc["Roles"].AsString.Contains("Mentor", StringComparison.Ordinal) && doc["SchoolId"].IsNull)
            {
                doc["SchoolId"] = school;
                people.Update(doc);
            }
        }
    }

    /// <summary>
    /// Schema 3, chat addresses: each bare chat id (all Telegram's before) becomes a <see cref="Core.Model.ChatAddress"/>
    /// text, "telegram:{id}": a person's ChatId and an outbox row's (a row held with chat 0 gets none) become Chat, a
    /// copy's Media.CopyFromChatId becomes Media.CopyFrom, and the invite slow-down is keyed by the address. The
    /// indexes on the old fields go. Documents already upgraded are left.
    /// </summary>
    public static void ToChatAddresses(LiteDatabase db)
    {
        var people = db.GetCollection("people");
        foreach (var doc in people.FindAll().ToList())
        {
            if (MoveChatId(doc, "ChatId", "Chat"))
            {
                people.Update(doc);
            }
        }

        var outbox = db.GetCollection("outbox");
        foreach (var doc in outbox.FindAll().ToList())
        {
            var moved = MoveChatId(doc, "ChatId", "Chat");
            if (doc["Media"].IsDocument && MoveChatId(doc["Media"].AsDocument, "CopyFromChatId", "CopyFrom"))
            {
                moved = true;
            }

            if (moved)
            {
                outbox.Update(doc);
            }
        }

        var throttles = db.GetCollection("throttles");
        foreach (var doc in throttles.FindAll().ToList())
        {
            if (doc["_id"].IsNumber)
            {
                throttles.Delete(doc["_id"]);
                doc["_id"] = Address(doc["_id"].AsInt64);
                throttles.Insert(doc);
            }
        }

        people.DropIndex("ChatId");
        outbox.DropIndex("ChatId");
    }

    /// <summary>A bare chat id under <paramref name="from"/> becomes the address under <paramref name="to"/> (0 or null: none).</summary>
    private static bool MoveChatId(BsonDocument doc, string from, string to)
    {
        if (!doc.ContainsKey(from))
        {
            return false;
        }

        var id = doc[from];
        doc.Remove(from);
        if (id.IsNumber && id.AsInt64 != 0)
        {
            doc[to] = Address(id.AsInt64);
        }

        return true;
    }

    private static string Address(long chatId) =>
        CareDb.ChannelBeforeSchema3 + ":" + chatId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>weekly:{parent}:{child}:{week} and escalate:{child}:{week}:{admin} name the child.</summary>
    private static string RekeyOutbox(string key, Dictionary<string, string> moved)
    {
        var parts = key.Split(':');
        var at = parts[0] switch
        {
            "weekly" => 2,
            "escalate" => 1,
            _ => -1,
        };
        if (at > 0 && at < parts.Length && moved.TryGetValue(parts[at], out var child))
        {
            parts[at] = child;
            return string.Join(':', parts);
        }

        return key;
    }
}
