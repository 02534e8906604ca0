namespace Cordon.Infrastructure.Web;

/// <summary>One page of a keyset-paged list: pass <see cref="NextCursor"/> back as <c>after</c> for the next page.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);
