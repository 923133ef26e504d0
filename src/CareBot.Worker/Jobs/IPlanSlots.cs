namespace CareBot.Worker.Jobs;

/// <summary>
/// Where several workers share one database: runs a scheduled planner run once across them, by its slot (the job and
/// the fire time it stands for). None on LiteDB, where one worker runs everything itself.
/// </summary>
public interface IPlanSlots
{
    /// <summary>
    /// Runs <paramref name="run"/> unless a node has already done this slot, one run at a time across the cluster;
    /// returns null when it was done before. Waiting for another node's run honours <paramref name="cancellationToken"/>.
    /// </summary>
    T? RunOnce<T>(string job, DateTimeOffset slot, Func<T> run, CancellationToken cancellationToken)
        where T : class;
}
