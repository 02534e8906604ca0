using Cordon.Infrastructure.Cli;

namespace Cordon.Tests.Unit;

/// <summary>How the <c>cordon</c> executable reads its command line: a command, its options, and host configuration.</summary>
public class CordonCommandTests
{
    [Theory]
    [InlineData(new string[0], "serve")]
    [InlineData(new[] { "serve" }, "serve")]
    [InlineData(new[] { "migrate" }, "migrate")]
    [InlineData(new[] { "seed-demo" }, "seed-demo")]
    [InlineData(new[] { "create-admin" }, "create-admin")]
    [InlineData(new[] { "generate" }, "generate")]
    [InlineData(new[] { "schema-script" }, "schema-script")]
    [InlineData(new[] { "help" }, "help")]
    [InlineData(new[] { "--help" }, "help")]
    [InlineData(new[] { "-h" }, "help")]
    [InlineData(new[] { "migrate", "--help" }, "help")]
    [InlineData(new[] { "--urls=http://127.0.0.1:5080" }, "serve")]
    [InlineData(new[] { "frobnicate" }, "unknown:frobnicate")]
    [InlineData(new[] { "Migrate" }, "unknown:Migrate")]
    public void The_first_word_names_the_command(string[] args, string name) => CordonCommand.Parse(args).Name.ShouldBe(name);

    [Fact]
    public void Key_value_pairs_configure_the_host_and_the_rest_are_options_of_the_command()
    {
        var command = CordonCommand.Parse(["seed-demo", "--residents", "2000", "--Database:Provider=Postgres", "--urls=http://127.0.0.1:5080"]);

        command.Name.ShouldBe("seed-demo");
        command.Options.ShouldBe(["--residents", "2000"]);
        command.HostArgs.ShouldBe(["--Database:Provider=Postgres", "--urls=http://127.0.0.1:5080"]);
        command.Option("residents").ShouldBe("2000");
        command.IntOption("residents", 50_000).ShouldBe(2000);
    }

    [Fact]
    public void Host_settings_given_with_a_space_reach_the_host_as_ASP_NET_Core_reads_them()
    {
        var command = CordonCommand.Parse(["--urls", "http://0.0.0.0:8080", "--environment", "Production"]);

        command.Name.ShouldBe("serve");
        command.HostArgs.ShouldBe(["--urls", "http://0.0.0.0:8080", "--environment", "Production"]);
        command.Options.ShouldBeEmpty();

        var generate = CordonCommand.Parse(["generate", "--residents", "1000", "--urls", "http://127.0.0.1:5090"]);
        generate.Options.ShouldBe(["--residents", "1000"]);
        generate.HostArgs.ShouldBe(["--urls", "http://127.0.0.1:5090"]);
    }

    [Fact]
    public void Serve_without_a_command_word_passes_all_configuration_to_the_host()
    {
        var command = CordonCommand.Parse(["--Database:Provider=Postgres", "--Database:ConnectionString=Host=db;Username=u"]);

        command.Name.ShouldBe("serve");
        command.HostArgs.ShouldBe(["--Database:Provider=Postgres", "--Database:ConnectionString=Host=db;Username=u"]);
        command.Options.ShouldBeEmpty();
    }

    [Fact]
    public void Options_are_read_by_name_in_any_order()
    {
        var command = CordonCommand.Parse(["create-admin", "--password", "Secret-Pass-1", "--user", "root", "--jurisdiction", "990102"]);

        command.Option("user").ShouldBe("root");
        command.Option("password").ShouldBe("Secret-Pass-1");
        command.Option("jurisdiction").ShouldBe("990102");
        command.Option("missing").ShouldBeNull();
    }

    [Fact]
    public void An_option_without_a_value_has_none_and_does_not_swallow_the_next_option()
    {
        var command = CordonCommand.Parse(["generate", "--seed", "--residents", "10"]);

        command.Option("seed").ShouldBeNull();
        command.IntOption("seed", 42).ShouldBe(42);
        command.IntOption("residents", 100_000).ShouldBe(10);
    }

    [Fact]
    public void A_missing_number_option_falls_back_to_its_default()
    {
        CordonCommand.Parse(["generate"]).IntOption("residents", 100_000).ShouldBe(100_000);
    }

    [Fact]
    public void The_help_names_every_command()
    {
        foreach (var name in new[] { "serve", "migrate", "seed-demo", "create-admin", "generate", "schema-script" })
            CordonCommand.Help.ShouldContain($"  {name} ");
    }
}
