using System.Globalization;
using System.Text;

namespace CareBot.Core.Summary;

/// <summary>Draws a <see cref="SummaryChart"/> as inline SVG: no script, no external font or image.</summary>
internal static class SvgChart
{
    private const double Width = 700;
    private const double Height = 230;
    private const double Left = 40;
    private const double Right = 24;
    private const double Top = 34;
    private const double Bottom = 30;

    private static readonly string[] Colors = ["#2f6f9f", "#e07b39", "#4f9a45", "#c0392b", "#8e6bb5", "#7f7f7f"];

    public static string Render(SummaryChart chart, string emptyText)
    {
        var svg = new StringBuilder();
        svg.Append(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Width} {Height}\" width=\"100%\" role=\"img\" aria-label=\"")).Append(SummaryPage.Escape(chart.Title)).Append("\">");
        var values = chart.Series.SelectMany(s => s.Values).Where(v => v.HasValue).Select(v => v!.Value).ToList();
        var count = chart.Categories.Count;
        if (values.Count == 0 || count == 0)
        {
            svg.Append(Inv($"<text x=\"{Width / 2}\" y=\"{Height / 2}\" text-anchor=\"middle\" font-size=\"13\" fill=\"#777\">")).Append(SummaryPage.Escape(emptyText)).Append("</text></svg>");
            return svg.ToString();
        }

        var min = chart.Min ?? 0;
        var max = chart.Max ?? NiceMax(values.Max() * 1.15); // room above the highest bar for its label
        var plotW = Width - Left - Right;
        var plotH = Height - Top - Bottom;
        double X(int i) => chart.Kind == SummaryChartKind.Bar ? Left + (plotW * (i + 0.5) / count) : Left + (count == 1 ? plotW / 2 : plotW * i / (count - 1));
        double Y(double v) => Top + plotH - (plotH * (Math.Clamp(v, min, max) - min) / (max - min));

        // Grid and y axis labels.
        foreach (var tick in Ticks(min, max))
        {
            svg.Append(Inv($"<line x1=\"{Left}\" y1=\"{Y(tick):0.#}\" x2=\"{Width - Right}\" y2=\"{Y(tick):0.#}\" stroke=\"#dde3ea\" stroke-width=\"1\"/>"));
            svg.Append(Inv($"<text x=\"{Left - 6}\" y=\"{Y(tick) + 4:0.#}\" text-anchor=\"end\" font-size=\"11\" fill=\"#555\">{tick:0.##}</text>"));
        }

        // X axis labels, thinned out when there are many weeks.
        var step = Math.Max(1, (int)Math.Ceiling(count / 14.0));
        for (var i = 0; i < count; i += step)
        {
            svg.Append(Inv($"<text x=\"{X(i):0.#}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\" font-size=\"11\" fill=\"#555\">")).Append(SummaryPage.Escape(chart.Categories[i])).Append("</text>");
        }

        if (chart.Kind == SummaryChartKind.Bar)
        {
            var series = chart.Series[0];
            var barW = plotW / count * 0.7;
            for (var i = 0; i < count; i++)
            {
                if (series.Values[i] is not { } v)
                {
                    continue;
                }

                svg.Append(Inv($"<rect x=\"{X(i) - (barW / 2):0.#}\" y=\"{Y(v):0.#}\" width=\"{barW:0.#}\" height=\"{Y(min) - Y(v):0.#}\" fill=\"{Colors[0]}\"/>"));
                if (count <= 26)
                {
                    svg.Append(Inv($"<text x=\"{X(i):0.#}\" y=\"{Y(v) - 3:0.#}\" text-anchor=\"middle\" font-size=\"10\" fill=\"#333\">{v:0.##}</text>"));
                }
            }
        }
        else
        {
            for (var s = 0; s < chart.Series.Count; s++)
            {
                // A week without data has no point; the line joins the weeks around it.
                var color = Colors[s % Colors.Length];
                var points = new List<string>();
                for (var i = 0; i < count; i++)
                {
                    if (chart.Series[s].Values[i] is { } value)
                    {
                        points.Add(Inv($"{X(i):0.#},{Y(value):0.#}"));
                        svg.Append(Inv($"<circle cx=\"{X(i):0.#}\" cy=\"{Y(value):0.#}\" r=\"2.5\" fill=\"{color}\"/>"));
                    }
                }

                if (points.Count > 1)
                {
                    svg.Append(Inv($"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{string.Join(' ', points)}\"/>"));
                }
            }
        }

        // Legend across the top.
        var x = Left;
        for (var s = 0; s < chart.Series.Count; s++)
        {
            var name = chart.Series[s].Name;
            svg.Append(Inv($"<rect x=\"{x:0.#}\" y=\"8\" width=\"12\" height=\"12\" fill=\"{Colors[s % Colors.Length]}\"/>"));
            svg.Append(Inv($"<text x=\"{x + 16:0.#}\" y=\"18\" font-size=\"12\" fill=\"#333\">")).Append(SummaryPage.Escape(name)).Append("</text>");
            x += 28 + (name.Sum(c => c > '\u2E80' ? 12 : 6.5));
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>A round axis maximum at or above <paramref name="max"/>: 1, 2, 5, 10, 20, 50 …</summary>
    internal static double NiceMax(double max)
    {
        if (max <= 0)
        {
            return 1;
        }

        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(max)));
        foreach (var f in new[] { 1.0, 2, 2.5, 5, 10 })
        {
            if (f * magnitude >= max)
            {
                return f * magnitude;
            }
        }

        return 10 * magnitude;
    }

    private static IEnumerable<double> Ticks(double min, double max)
    {
        var span = max - min;
        var step = span <= 5 ? 1 : NiceMax(span / 5);
        for (var t = min; t <= max + (step / 1000); t += step)
        {
            yield return t;
        }
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
