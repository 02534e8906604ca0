using Cordon.Features.Audit;
using Cordon.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Cordon.Infrastructure.Data;

/// <summary>
/// Writes an <see cref="AuditEntry"/> for every create, update and delete saved through EF Core:
/// who, when, which record and which fields changed (names only, never values, so the audit log
/// itself holds no personal data). Bulk loads that bypass EF record one entry per batch themselves.
/// </summary>
public sealed class AuditInterceptor(CurrentUser currentUser, TimeProvider clock) : SaveChangesInterceptor
{
    // Rows whose key the database generates are audited once the insert has given them one.
    private readonly List<EntityEntry> _awaitingKeys = [];

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context) AddEntries(context);
        return base.SavingChangesAsync(eventData, result, cancellationToken);
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is { } context) AddEntries(context);
        return base.SavingChanges(eventData, result);
    }

    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context && AddInsertedEntries(context)) await context.SaveChangesAsync(cancellationToken);
        return result;
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        if (eventData.Context is { } context && AddInsertedEntries(context)) context.SaveChanges();
        return result;
    }

    private void AddEntries(DbContext context)
    {
        var changes = context.ChangeTracker.Entries()
            .Where(e => e.Entity is not AuditEntry && e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
            .ToList();

        foreach (var entry in changes)
        {
            if (entry.State == EntityState.Added && HasGeneratedKey(entry))
            {
                _awaitingKeys.Add(entry);
                continue;
            }
            var action = entry.State switch
            {
                EntityState.Added => AuditAction.Create,
                EntityState.Deleted => AuditAction.Delete,
                _ => AuditAction.Update,
            };
            context.Add(NewEntry(entry, action, action == AuditAction.Update ? ChangedFields(entry) : null));
        }
    }

    private bool AddInsertedEntries(DbContext context)
    {
        if (_awaitingKeys.Count == 0) return false;
        foreach (var entry in _awaitingKeys) context.Add(NewEntry(entry, AuditAction.Create, null));
        _awaitingKeys.Clear();
        return true;
    }

    private AuditEntry NewEntry(EntityEntry entry, AuditAction action, string? details) => new()
    {
        At = clock.GetUtcNow().UtcDateTime,
        UserId = currentUser.Id,
        UserName = currentUser.UserName ?? "system",
        Action = action,
        Entity = entry.Metadata.ClrType.Name,
        EntityKey = KeyOf(entry),
        Details = details,
    };

    private static bool HasGeneratedKey(EntityEntry entry) =>
        entry.Metadata.FindPrimaryKey()?.Properties.Any(p => p.ValueGenerated != ValueGenerated.Never) == true;

    private static string KeyOf(EntityEntry entry) =>
        string.Join(",", entry.Metadata.FindPrimaryKey()?.Properties.Select(p => entry.Property(p.Name).CurrentValue?.ToString()) ?? []);

    private static string ChangedFields(EntityEntry entry)
    {
        var text = string.Join(",", entry.Properties.Where(p => p.IsModified).Select(p => p.Metadata.Name));
        return text.Length > 1000 ? text[..1000] : text;
    }
}
