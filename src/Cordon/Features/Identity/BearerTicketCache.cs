using System.Collections.Concurrent;
using Microsoft.AspNetCore.Authentication;

namespace Cordon.Features.Identity;

/// <summary>
/// Keeps the tickets of recently seen bearer tokens, so a resident's app polling its status or a terminal uploading
/// check-ins does not pay the token's decryption and deserialisation on every request. A bearer token is
/// self-contained (nothing on the server can revoke it before it expires), so decrypting the same text again would
/// give the same ticket; the handler still checks the ticket's expiry on every request. Only tokens that decrypted are
/// kept (forgeries cannot fill the cache), and past <see cref="Capacity"/> the cache starts again empty.
/// </summary>
internal sealed class BearerTicketCache(ISecureDataFormat<AuthenticationTicket> inner) : ISecureDataFormat<AuthenticationTicket>
{
    public const int Capacity = 200_000;

    private readonly ConcurrentDictionary<string, AuthenticationTicket> _tickets = new(StringComparer.Ordinal);

    public string Protect(AuthenticationTicket data) => inner.Protect(data);

    public string Protect(AuthenticationTicket data, string? purpose) => inner.Protect(data, purpose);

    public AuthenticationTicket? Unprotect(string? protectedText) => Unprotect(protectedText, null);

    public AuthenticationTicket? Unprotect(string? protectedText, string? purpose)
    {
        if (protectedText is null || purpose is not null) return inner.Unprotect(protectedText, purpose);
        if (_tickets.TryGetValue(protectedText, out var known)) return known;
        var ticket = inner.Unprotect(protectedText);
        if (ticket is null) return null;
        if (_tickets.Count >= Capacity) _tickets.Clear();
        _tickets[protectedText] = ticket;
        return ticket;
    }
}
