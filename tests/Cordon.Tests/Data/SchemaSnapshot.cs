using System.Data.Common;
using System.Text.RegularExpressions;
using Cordon.Infrastructure.Data;

namespace Cordon.Tests.Data;

/// <summary>
/// A database schema as a set of one-line facts (a column with its type, nullability and collation; an index with
/// its columns; a key or foreign key), read from the catalog, so that two schemas compare as two sets.
/// </summary>
public sealed partial record SchemaSnapshot(IReadOnlySet<string> Facts, int Tables)
{
    public static async Task<SchemaSnapshot> ReadAsync(DbConnection connection, DatabaseProvider provider)
    {
        if (connection.State != System.Data.ConnectionState.Open) await connection.OpenAsync();
        return provider == DatabaseProvider.Postgres ? await ReadPostgresAsync(connection) : await ReadSqliteAsync(connection);
    }

    private static async Task<SchemaSnapshot> ReadSqliteAsync(DbConnection connection)
    {
        var facts = new SortedSet<string>(StringComparer.Ordinal);
        var tables = await QueryAsync(connection,
            $"SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '{MigrationRunner.HistoryTable}'");
        foreach (var table in tables.Select(t => t[0]))
        {
            facts.Add($"table {table}");
            foreach (var c in await QueryAsync(connection, $"PRAGMA table_info(\"{table}\")"))
            {
                // cid, name, type, notnull, dflt_value, pk
                facts.Add($"{table}.{c[1]} {c[2]}{(c[3] == "1" ? " NOT NULL" : " NULL")}{(c[4] is { Length: > 0 } d ? " DEFAULT " + d : "")}{(c[5] != "0" ? $" PRIMARY KEY#{c[5]}" : "")}");
            }
            foreach (var index in await QueryAsync(connection, $"PRAGMA index_list(\"{table}\")"))
            {
                // seq, name, unique, origin (c = CREATE INDEX, u = UNIQUE constraint, pk), partial
                var columns = (await QueryAsync(connection, $"PRAGMA index_info(\"{index[1]}\")")).OrderBy(i => int.Parse(i[0])).Select(i => i[2]);
                var name = index[1].StartsWith("sqlite_autoindex_", StringComparison.Ordinal) ? $"({index[3]} constraint)" : index[1];
                facts.Add($"{(index[2] == "1" ? "unique " : "")}index {name} on {table} ({string.Join(", ", columns)}){(index[4] == "1" ? " partial" : "")}");
            }
            foreach (var key in (await QueryAsync(connection, $"PRAGMA foreign_key_list(\"{table}\")")).GroupBy(k => k[0]))
            {
                // id, seq, table, from, to, on_update, on_delete, match
                var parts = key.OrderBy(k => int.Parse(k[1])).ToList();
                facts.Add($"foreign key {table} ({string.Join(", ", parts.Select(p => p[3]))}) references {parts[0][2]} ({string.Join(", ", parts.Select(p => p[4]))}) on delete {parts[0][6]} on update {parts[0][5]}");
            }
        }
        return new SchemaSnapshot(facts, tables.Count);
    }

    private static async Task<SchemaSnapshot> ReadPostgresAsync(DbConnection connection)
    {
        var facts = new SortedSet<string>(StringComparer.Ordinal);
        var history = MigrationRunner.HistoryTable;
        var tables = await QueryAsync(connection,
            $"SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '{history}'");
        foreach (var t in tables) facts.Add($"table {t[0]}");
        foreach (var c in await QueryAsync(connection, $"""
            SELECT table_name, column_name, data_type, character_maximum_length, is_nullable, collation_name, column_default, is_identity
            FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '{history}'
            """))
        {
            facts.Add($"{c[0]}.{c[1]} {c[2]}{(c[3] is { Length: > 0 } l ? $"({l})" : "")}{(c[5] is { Length: > 0 } coll ? $" COLLATE {coll}" : "")}"
                + $"{(c[4] == "NO" ? " NOT NULL" : " NULL")}{(c[6] is { Length: > 0 } d ? " DEFAULT " + d : "")}{(c[7] == "YES" ? " IDENTITY" : "")}");
        }
        foreach (var i in await QueryAsync(connection, $"SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '{history}'"))
        {
            facts.Add(Whitespace().Replace(i[0].Replace("public.", "", StringComparison.Ordinal), " "));
        }
        foreach (var k in await QueryAsync(connection, $"""
            SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
            WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '{history}'
            """))
        {
            facts.Add($"constraint {k[1]} on {k[0].Trim('"')}: {k[2]}");
        }
        return new SchemaSnapshot(facts, tables.Count);
    }

    /// <summary>What <paramref name="expected"/> has that this lacks (+) and what this has that it lacks (-); empty when they agree.</summary>
    public IReadOnlyList<string> DiffFrom(SchemaSnapshot expected) =>
        expected.Facts.Except(Facts).Select(f => "+ " + f).Concat(Facts.Except(expected.Facts).Select(f => "- " + f)).ToList();

    private static async Task<List<string[]>> QueryAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string[]>();
        while (await reader.ReadAsync())
        {
            var row = new string[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
                row[i] = reader.IsDBNull(i) ? "" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)!;
            rows.Add(row);
        }
        return rows;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
