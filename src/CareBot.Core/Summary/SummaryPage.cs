using System.Globalization;
using System.Text;
using CareBot.Core.Text;

namespace CareBot.Core.Summary;

/// <summary>
/// Writes a <see cref="TermSummary"/> as one self-contained, printable A4 HTML page: inline CSS, inline SVG charts,
/// the system's CJK fonts; no script, no external font, style sheet or image. Long lists (one row per child) stay in
/// the workbook; the page says how many rows it leaves out.
/// </summary>
public static class SummaryPage
{
    private const string Css = """
        @page { size: A4; margin: 14mm 12mm; }
        * { box-sizing: border-box; }
        html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif;
               font-size: 9.5pt; line-height: 1.4; color: #222; margin: 0 auto; max-width: 186mm; }
        h1 { font-size: 17pt; margin: 0 0 1mm; }
        .sub { color: #555; margin: 0 0 4mm; }
        h2 { font-size: 12.5pt; border-bottom: 1.5pt solid #2f6f9f; padding-bottom: 1mm; margin: 6mm 0 3mm; break-after: avoid; }
        h3 { font-size: 10.5pt; margin: 4mm 0 1.5mm; break-after: avoid; }
        .figures { display: grid; grid-template-columns: repeat(4, 1fr); gap: 2mm; margin-bottom: 2mm; }
        .fig { border: 0.6pt solid #bcd0e0; border-radius: 1.5mm; padding: 1.5mm 2.5mm; background: #f3f8fc; break-inside: avoid; }
        .fig .v { display: block; font-size: 15pt; font-weight: 700; }
        .fig .l { display: block; }
        .fig .d { display: block; color: #555; font-size: 8pt; }
        table { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin-bottom: 1mm; }
        th, td { border: 0.5pt solid #c8d2dc; padding: 0.7mm 1.5mm; vertical-align: top; }
        th { background: #e8f0f7; font-weight: 600; text-align: left; }
        td:first-child { white-space: nowrap; }
        td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        thead { display: table-header-group; }
        tr { break-inside: avoid; }
        tfoot td { font-weight: 700; background: #f4f4f4; }
        figure { margin: 2mm 0 3mm; break-inside: avoid; }
        figcaption { font-weight: 600; margin-bottom: 1mm; }
        .note, .more { color: #555; font-size: 8pt; margin: 1mm 0 2mm; }
        @media screen { body { padding: 10mm 0; } }
        """;

    public static void Write(TermSummary summary, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(writer);
        var lang = summary.Language;
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"").Append(lang == Texts.English ? "en" : "zh-CN").Append("\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
            .Append(Escape(summary.Title)).Append("</title>\n<style>\n").Append(Css).Append("\n</style>\n</head>\n<body>\n<header>\n<h1>")
            .Append(Escape(summary.Title)).Append("</h1>\n<p class=\"sub\">").Append(Escape(summary.Subtitle)).Append("</p>\n</header>\n");
        foreach (var section in summary.Sections)
        {
            html.Append("<section id=\"").Append(Escape(section.Key)).Append("\">\n<h2>").Append(Escape(section.Title)).Append("</h2>\n");
            if (section.Figures.Count > 0)
            {
                html.Append("<div class=\"figures\">\n");
                foreach (var figure in section.Figures)
                {
                    html.Append("<div class=\"fig\"><span class=\"v\">").Append(FigureValue(figure.Value)).Append("</span><span class=\"l\">")
                        .Append(Escape(figure.Label)).Append("</span>");
                    if (!string.IsNullOrEmpty(figure.Detail))
                    {
                        html.Append("<span class=\"d\">").Append(Escape(figure.Detail)).Append("</span>");
                    }

                    html.Append("</div>\n");
                }

                html.Append("</div>\n");
            }

            foreach (var chart in section.Charts)
            {
                html.Append("<figure>\n<figcaption>").Append(Escape(chart.Title)).Append("</figcaption>\n")
                    .Append(SvgChart.Render(chart, Texts.Get(lang, "sum.chart.empty"))).Append("\n</figure>\n");
            }

            foreach (var table in section.Tables)
            {
                Table(html, table, lang);
            }

            if (section.Note is not null)
            {
                html.Append("<p class=\"note\">").Append(Escape(section.Note)).Append("</p>\n");
            }

            html.Append("</section>\n");
        }

        html.Append("</body>\n</html>\n");
        writer.Write(html.ToString());
    }

    private static void Table(StringBuilder html, SummaryTable table, string lang)
    {
        html.Append("<h3>").Append(Escape(table.Title)).Append("</h3>\n");
        var shown = Math.Min(table.Rows.Count, table.PageRows ?? int.MaxValue);
        if (shown == 0 && table.Rows.Count > 0)
        {
            html.Append("<p class=\"more\">").Append(Escape(Texts.Get(lang, "sum.page.workbook_only", table.Rows.Count))).Append("</p>\n");
            return;
        }

        html.Append("<table>\n<thead><tr>");
        foreach (var column in table.Columns)
        {
            html.Append("<th>").Append(Escape(column.Header)).Append("</th>");
        }

        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in table.Rows.Take(shown))
        {
            Row(html, table, row);
        }

        html.Append("</tbody>\n");
        if (table.Total is { } total)
        {
            html.Append("<tfoot>\n");
            Row(html, table, total);
            html.Append("</tfoot>\n");
        }

        html.Append("</table>\n");
        if (shown < table.Rows.Count)
        {
            html.Append("<p class=\"more\">").Append(Escape(Texts.Get(lang, "sum.page.more", table.Rows.Count - shown))).Append("</p>\n");
        }
    }

    private static void Row(StringBuilder html, SummaryTable table, object?[] row)
    {
        html.Append("<tr>");
        for (var i = 0; i < table.Columns.Count; i++)
        {
            var kind = table.Columns[i].Kind;
            html.Append(kind is SummaryCellKind.Count or SummaryCellKind.Average or SummaryCellKind.Amount ? "<td class=\"n\">" : "<td>")
                .Append(Escape(Format(i < row.Length ? row[i] : null, kind))).Append("</td>");
        }

        html.Append("</tr>\n");
    }

    /// <summary>A headline figure: a whole number as such, an amount with a fraction with two decimals (1000.50).</summary>
    internal static string FigureValue(decimal value) =>
        value.ToString(value == decimal.Truncate(value) ? "0" : "0.00", CultureInfo.InvariantCulture);

    /// <summary>A cell as the page shows it: averages and amounts with two decimals, dates as yyyy-MM-dd.</summary>
    internal static string Format(object? value, SummaryCellKind kind) => value switch
    {
        null => "",
        double d when double.IsNaN(d) => "",
        double d when kind == SummaryCellKind.Average => d.ToString("0.00", CultureInfo.InvariantCulture),
        decimal m => m.ToString("0.00", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>Text for HTML content and attributes.</summary>
    internal static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            sb.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => c.ToString(),
            });
        }

        return sb.ToString();
    }
}
