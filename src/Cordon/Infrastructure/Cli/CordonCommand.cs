namespace Cordon.Infrastructure.Cli;

/// <summary>The sub-commands of the <c>cordon</c> executable. Everything after the command is host configuration.</summary>
public sealed record CordonCommand(string Name, string[] Options, string[] HostArgs)
{
    public const string Help = """
        cordon — epidemic prevention-and-control command platform

        Usage: cordon [command] [options] [--key=value configuration ...]

        Commands:
          serve                 Start the web host (default). Applies migrations and seeds the demo district
                                on first start unless Database:MigrateOnStart / Database:SeedDemoOnStart are false.
          migrate               Apply pending database migrations and exit.
          seed-demo             Create the demo district 示范市/示范区 (areas, residents, venues, demo accounts).
                                  --residents N   residents to generate (default 50000)
          create-admin          Create an administrator account.
                                  --user NAME --password PASSWORD [--jurisdiction AREA_CODE] (default 990100)
          generate              Add synthetic residents to the existing district in bulk (benchmarks, load tests).
                                  --residents N [--seed S] [--id-area 6DIGITS]
          certificate verify    Verify EU Digital COVID Certificates (HC1 QR texts) in bulk: one JSON object per line
                                on standard input, {"qr": "HC1:…", "trust": ["<base64 DER>", …], "at": "<ISO-8601>"}
                                (trust and at optional: the configured trust list, now), one JSON result per line
                                on standard output, {"valid", "stage", "reason", "content"}.
          schema-script         Print the SQL that creates the current EF model for the configured provider
                                (the starting point of a new migration script).
          help, --help          Show this text.

        Configuration (appsettings.json, environment variables or --key=value):
          Database:Provider             Sqlite (default) or Postgres
          Database:ConnectionString     required for Postgres; SQLite defaults to <data directory>/cordon.db
          Cordon:DataDirectory          where the SQLite file and the development key live (default ./data)
          Cordon:PersonalDataKey        base64 32-byte key for ID-number hashing/encryption (required in production)
          Certificates:Country          ISO country of the certificate issuer (default CN)
          Certificates:Issuer           the issuer named in certificates
          Certificates:ValidityHours    how long a negative-test certificate is valid after sampling (default 72)
          Certificates:Trust:0, :1, …   other issuers' signer certificates to trust (base64 DER)
          Urls                          e.g. http://127.0.0.1:5080
        Environment variables use double underscores: Database__Provider=Postgres.
        """;

    private static readonly string[] CommandOptions = ["--residents", "--user", "--password", "--jurisdiction", "--seed", "--id-area"];

    private static readonly string[] Known = ["serve", "migrate", "seed-demo", "create-admin", "generate", "schema-script", "certificate verify", "help"];

    public static CordonCommand Parse(string[] args)
    {
        var name = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "serve";
        if (args.Contains("--help") || args.Contains("-h")) name = "help";
        var rest = args.Length > 0 && !args[0].StartsWith('-') ? args[1..] : args;
        // Commands with a sub-command ("certificate verify") take their second word as part of the name.
        if (name == "certificate" && rest.Length > 0 && !rest[0].StartsWith('-'))
        {
            name = $"{name} {rest[0]}";
            rest = rest[1..];
        }
        // The commands' own options are "--name value" pairs; everything else ("--key=value", or "--urls X" as ASP.NET
        // Core also accepts it) configures the host.
        var options = new List<string>();
        var host = new List<string>();
        for (var i = 0; i < rest.Length; i++)
        {
            var list = !rest[i].Contains('=') && CommandOptions.Contains(rest[i]) ? options : host;
            list.Add(rest[i]);
            if (!rest[i].Contains('=') && rest[i].StartsWith("--", StringComparison.Ordinal)
                && i + 1 < rest.Length && !rest[i + 1].StartsWith("--", StringComparison.Ordinal)) list.Add(rest[++i]);
        }
        // Standard output carries the results of "certificate verify", one JSON line each: logs go to standard error.
        if (name == "certificate verify") host.Insert(0, "--Logging:Console:LogToStandardErrorThreshold=Trace");
        return new CordonCommand(Known.Contains(name) ? name : "unknown:" + name, options.ToArray(), host.ToArray());
    }

    public string? Option(string name)
    {
        var index = Array.IndexOf(Options, "--" + name);
        return index >= 0 && index + 1 < Options.Length && !Options[index + 1].StartsWith("--", StringComparison.Ordinal) ? Options[index + 1] : null;
    }

    public int IntOption(string name, int fallback) =>
        Option(name) is { } text ? int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : fallback;
}
