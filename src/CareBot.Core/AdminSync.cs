using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.Core.Text;

namespace CareBot.Core;

/// <summary>Makes the people listed in <c>CareBot:Admins</c> admins (matched by phone) and no one else.</summary>
public static class AdminSync
{
    private const string StateKey = "admins.synced";

    public static void Apply(CareDb db, IReadOnlyList<AdminEntry> admins, DateTime utcNow)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(admins);
        // The admin list rarely changes; when it is the one synced last time, skip the scan over everyone
        // (a county database holds a hundred thousand people, and this runs at every start).
        var normalized = admins.Select(a => $"{Phone.Normalize(a.Phone) ?? a.Phone}|{a.Name.Trim()}|{a.Language}").Order(StringComparer.Ordinal);
        var fingerprint = string.Join(";", normalized);
        if (db.Read(tx => tx.State.FindById(StateKey)?.Text) == fingerprint)
        {
            return;
        }

        db.Write(tx =>
        {
            tx.State.Upsert(new StateEntry { Id = StateKey, Text = fingerprint });
            var phones = new HashSet<string>();
            foreach (var admin in admins)
            {
                var phone = Phone.Normalize(admin.Phone) ?? throw new ArgumentException($"CareBot:Admins: '{admin.Phone}' is not a Chinese mobile number.");
                phones.Add(phone);
                var person = tx.People.FindOne(p => p.Phone == phone);
                if (person is null)
                {
                    person = new Person
                    {
                        Name = admin.Name.Trim(),
                        Phone = phone,
                        Roles = Roles.Admin,
                        Language = Texts.ParseLanguage(admin.Language) ?? Texts.Chinese,
                        CreatedUtc = utcNow,
                        UpdatedUtc = utcNow,
                    };
                    tx.People.Insert(person);
                    tx.AuditWrite(utcNow, "config", "admin.added", null, $"person:{person.Id}");
                }
                else if (!person.Has(Roles.Admin))
                {
                    person.Roles |= Roles.Admin;
                    person.UpdatedUtc = utcNow;
                    tx.People.Update(person);
                    tx.AuditWrite(utcNow, "config", "admin.added", null, $"person:{person.Id}");
                }
            }

            foreach (var former in tx.People.Find(p => p.Roles != Roles.None).Where(p => p.Has(Roles.Admin) && !phones.Contains(p.Phone)).ToList())
            {
                former.Roles &= ~Roles.Admin;
                former.UpdatedUtc = utcNow;
                tx.People.Update(former);
                tx.AuditWrite(utcNow, "config", "admin.removed", null, $"person:{former.Id}");
            }
        });
    }
}
