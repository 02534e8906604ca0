using System.Security.Claims;
using Cordon.Features.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;

namespace Cordon.Tests.Unit;

/// <summary>The per-host cache of bearer-token tickets: decrypts a token once, never keeps what did not decrypt.</summary>
public sealed class BearerTicketCacheTests
{
    private readonly CountingFormat _inner = new(new TicketDataFormat(new EphemeralDataProtectionProvider().CreateProtector("bearer-test")));

    [Fact]
    public void A_token_is_decrypted_once_and_answers_the_same_person_and_expiry_afterwards()
    {
        var cache = new BearerTicketCache(_inner);
        // Whole seconds: the ticket format keeps no finer time.
        var expires = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddHours(8).ToUnixTimeSeconds());
        var token = cache.Protect(Ticket("resident", expires));

        var first = cache.Unprotect(token);
        var second = cache.Unprotect(token);

        first.ShouldNotBeNull();
        second.ShouldBeSameAs(first);
        second!.Principal.Identity!.Name.ShouldBe("resident");
        // The handler compares this with the clock on every request, cached or not.
        second.Properties.ExpiresUtc.ShouldBe(expires);
        _inner.Unprotects.ShouldBe(1);
    }

    [Fact]
    public void A_forged_or_altered_token_is_refused_every_time_and_never_kept()
    {
        var cache = new BearerTicketCache(_inner);
        var token = cache.Protect(Ticket("resident", DateTimeOffset.UtcNow.AddHours(8)));
        var altered = token[..^4] + (token[^4] == 'A' ? "BBBB" : "AAAA");

        cache.Unprotect("not-a-token").ShouldBeNull();
        cache.Unprotect("not-a-token").ShouldBeNull();
        cache.Unprotect(altered).ShouldBeNull();

        _inner.Unprotects.ShouldBe(3);
        cache.Unprotect(token).ShouldNotBeNull();
    }

    private static AuthenticationTicket Ticket(string name, DateTimeOffset expires) =>
        new(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], "test")), new AuthenticationProperties { ExpiresUtc = expires }, "Identity.Bearer");

    /// <summary>The real ticket format, counting how often it had to decrypt.</summary>
    private sealed class CountingFormat(ISecureDataFormat<AuthenticationTicket> real) : ISecureDataFormat<AuthenticationTicket>
    {
        public int Unprotects { get; private set; }

        public string Protect(AuthenticationTicket data) => real.Protect(data);

        public string Protect(AuthenticationTicket data, string? purpose) => real.Protect(data, purpose);

        public AuthenticationTicket? Unprotect(string? protectedText) => Unprotect(protectedText, null);

        public AuthenticationTicket? Unprotect(string? protectedText, string? purpose)
        {
            Unprotects++;
            return real.Unprotect(protectedText, purpose);
        }
    }
}
