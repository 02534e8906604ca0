namespace Cordon.Tests.Support;

/// <summary>
/// Base of the tests that run against the whole app. Each scenario is written once in an abstract subclass and
/// runs on both providers through two small concrete classes (…OnSqlite, …OnPostgres), each with its own app.
/// </summary>
public abstract class AppTests
{
    protected AppTests(CordonApp app)
    {
        // PostgreSQL missing: skip with the reason (or fail under CORDON_REQUIRE_ALL=1) before the test body runs.
        TestPostgres.SkipOrFailIfUnavailable(app.UnavailableReason);
        App = app;
    }

    protected CordonApp App { get; }
}
