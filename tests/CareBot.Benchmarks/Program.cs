using CareBot.Benchmarks;

var options = BenchmarkOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine(BenchmarkOptions.Usage);
    return 2;
}

BenchmarkFigures figures;
try
{
    figures = await BenchmarkRunner.RunAsync(options, Console.Out).ConfigureAwait(false);
}
catch (BenchmarkSetupException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

Console.WriteLine();
Console.WriteLine(figures.ToTable());
if (options.JsonPath is not null)
{
    await File.WriteAllTextAsync(options.JsonPath, figures.ToJson()).ConfigureAwait(false);
    Console.WriteLine($"figures written to {options.JsonPath}");
}

return 0;
