using System.Globalization;
using System.Text;
using CareBot.Core.Model;
using CareBot.Core.Summary;
using CareBot.Core.Text;
using QRCoder;

namespace CareBot.Core.Invites;

/// <summary>One printed invite: who, the children named on it, the deep link and its code, until when, in which language.</summary>
public sealed record InviteSlip(InviteTarget Target, string Code, string Link, DateOnly Expires, string Language);

/// <summary>
/// <c>carebot invite --slips FILE.html</c>: one self-contained printable A4 page (inline CSS and SVG, the system's CJK
/// fonts, no script or external file), eight slips to a sheet with dashed cut lines. Each slip holds the person's
/// name and role, the children's names and classes (never a 学号 or a phone), a QR code of the invite's deep link,
/// the code in large type for <c>/start CODE</c>, three steps and the expiry date. A sheet is the whole page (no
/// margin): slip <c>i</c> of a sheet fills column <c>i % 2</c>, row <c>i / 2</c> of a 2 × 4 grid.
/// </summary>
public static class InviteSlips
{
    public const int PerSheet = 8;

    /// <summary>Children named on a slip; more are counted ("and 3 more").</summary>
    public const int MaxChildrenShown = 4;

    private const string Css = """
        @page { size: A4; margin: 0; }
        * { box-sizing: border-box; }
        html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        body { margin: 0; color: #111; font-size: 8.5pt; line-height: 1.35;
               font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif; }
        .sheet { width: 210mm; height: 296.5mm; display: grid; grid-template-columns: 105mm 105mm; grid-template-rows: repeat(4, 74.1mm);
                 overflow: hidden; break-after: page; }
        .sheet:last-child { break-after: auto; }
        .slip { border: 0.4pt dashed #888; padding: 4mm 5mm 3mm; overflow: hidden; display: grid;
                grid-template-columns: 1fr 30mm; grid-template-rows: auto auto auto 1fr auto auto; column-gap: 3mm; }
        .head { grid-column: 1 / 3; display: flex; justify-content: space-between; gap: 2mm; color: #555; font-size: 7pt; white-space: nowrap; }
        .head span:first-child { overflow: hidden; text-overflow: ellipsis; }
        .who { grid-column: 1 / 3; font-size: 12pt; font-weight: 700; margin-top: 0.5mm; }
        .who .role { font-size: 9pt; font-weight: 400; margin-left: 2mm; }
        .kids { grid-column: 1 / 3; max-height: 8mm; overflow: hidden; }
        ol { margin: 1mm 0 0; padding-left: 4.5mm; }
        li { margin-bottom: 0.6mm; }
        .qr { grid-column: 2; grid-row: 4; width: 30mm; height: 30mm; margin-top: 1mm; }
        .qr svg { width: 30mm; height: 30mm; display: block; }
        .type { grid-column: 1 / 3; color: #333; font-size: 7.5pt; margin-top: 1mm; }
        .code { grid-column: 1 / 3; font-family: "DejaVu Sans Mono", "Liberation Mono", "Noto Sans Mono CJK SC", "Consolas", monospace;
                font-size: 13pt; font-weight: 700; letter-spacing: 0; white-space: nowrap; }
        @media screen { body { background: #eee; } .sheet { background: #fff; margin: 5mm auto; } }
        """;

    /// <summary>The slip's deep link: Telegram opens the bot and sends <c>/start CODE</c> when the person taps START.</summary>
    public static string Link(string botUsername, string code) => $"https://t.me/{botUsername.TrimStart('@')}?start={code}";

    public static void Write(IReadOnlyList<InviteSlip> slips, string botUsername, string language, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(slips);
        ArgumentNullException.ThrowIfNull(writer);
        var lang = Texts.ParseLanguage(language) ?? Texts.Chinese;
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"").Append(lang == Texts.English ? "en" : "zh-CN").Append("\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
            .Append(SummaryPage.Escape(Texts.Get(lang, "slip.page_title"))).Append("</title>\n<style>\n").Append(Css).Append("\n</style>\n</head>\n<body>\n");
        for (var start = 0; start < slips.Count; start += PerSheet)
        {
            html.Append("<div class=\"sheet\">\n");
            foreach (var slip in slips.Skip(start).Take(PerSheet))
            {
                Slip(html, slip, botUsername.TrimStart('@'));
            }

            html.Append("</div>\n");
        }

        html.Append("</body>\n</html>\n");
        writer.Write(html.ToString());
    }

    private static void Slip(StringBuilder html, InviteSlip slip, string bot)
    {
        var lang = slip.Language;
        var person = slip.Target.Person;
        string T(string key, params object?[] args) => SummaryPage.Escape(Texts.Get(lang, key, args));

        html.Append("<section class=\"slip\">\n<div class=\"head\"><span>").Append(T("slip.heading"))
            .Append("</span><span>").Append(T("slip.expires", slip.Expires.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))).Append("</span></div>\n")
            .Append("<div class=\"who\">").Append(SummaryPage.Escape(person.Name)).Append("<span class=\"role\">").Append(SummaryPage.Escape(RoleText(person.Roles, lang))).Append("</span></div>\n")
            .Append("<div class=\"kids\">").Append(SummaryPage.Escape(ChildrenText(slip.Target, lang))).Append("</div>\n")
            .Append("<ol>\n<li>").Append(T("slip.step_scan")).Append("</li>\n<li>").Append(T("slip.step_start")).Append("</li>\n<li>")
            .Append(T("slip.step_done")).Append("</li>\n</ol>\n")
            .Append("<div class=\"qr\">").Append(QrSvg(slip.Link)).Append("</div>\n")
            .Append("<div class=\"type\">").Append(T("slip.type", bot)).Append("</div>\n")
            .Append("<div class=\"code\">").Append(SummaryPage.Escape(slip.Code)).Append("</div>\n")
            .Append("</section>\n");
    }

    /// <summary>The roles as a slip shows them, in its language: "家长", "结对教师+家长".</summary>
    public static string RoleText(Roles roles, string language) =>
        string.Join('+', new[] { Roles.Admin, Roles.Mentor, Roles.Volunteer, Roles.Parent }.Where(r => (roles & r) != 0).Select(r => Texts.Get(language, "cli.role." + r.ToString().ToLowerInvariant())));

    /// <summary>"孩子：王小明（三年级1班）、王小红（一年级2班）": names and classes only; empty for an admin with no child.</summary>
    public static string ChildrenText(InviteTarget target, string language)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.Children.Count == 0)
        {
            return "";
        }

        var shown = target.Children.Take(MaxChildrenShown).Select(c => string.IsNullOrWhiteSpace(c.Class) ? c.Name : Texts.Get(language, "slip.child_in_class", c.Name, c.Class)).ToList();
        if (target.Children.Count > MaxChildrenShown)
        {
            shown.Add(Texts.Get(language, "slip.more_children", target.Children.Count - MaxChildrenShown));
        }

        var label = target.Person.Has(Roles.Parent) ? "slip.children" : "slip.paired";
        return Texts.Get(language, label, Texts.Join(language, shown));
    }

    private static string QrSvg(string link)
    {
        using var data = QRCodeGenerator.GenerateQrCode(link, QRCodeGenerator.ECCLevel.M);
        var svg = new SvgQRCode(data).GetGraphic(4, "#000000", "#ffffff", drawQuietZones: true, sizingMode: SvgQRCode.SizingMode.ViewBoxAttribute);
        var start = svg.IndexOf("<svg", StringComparison.Ordinal);
        return start > 0 ? svg[start..] : svg;
    }
}
