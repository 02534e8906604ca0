namespace Cordon.Features.Registry;

/// <summary>
/// Residents newly registered on this host: their ids when known (one created on the screen or the API, a CSV import),
/// or none for a bulk load (the demo seed, <c>generate</c>), whose ids the loader does not read back.
/// </summary>
public sealed record ResidentsAdded(IReadOnlyList<long>? ResidentIds, int Count);

/// <summary>
/// The registry's events, raised after the change is saved, on the thread that saved it; handlers must return at
/// once (the health worker only queues work). A failing handler is logged and does not undo or fail the change.
/// </summary>
public sealed partial class RegistryEvents(ILogger<RegistryEvents> log)
{
    public event Action<ResidentsAdded>? ResidentsAdded;

    internal void RaiseResidentsAdded(ResidentsAdded change)
    {
        if (change.Count == 0 || ResidentsAdded is not { } handlers) return;
        foreach (var handler in handlers.GetInvocationList().Cast<Action<ResidentsAdded>>())
        {
            try
            {
                handler(change);
            }
            catch (Exception e)
            {
                Log.HandlerFailed(log, nameof(Registry.ResidentsAdded), e);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "A handler of the registry event {Event} failed")]
        public static partial void HandlerFailed(ILogger logger, string @event, Exception exception);
    }
}
