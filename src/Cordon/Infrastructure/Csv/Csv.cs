using System.Text;

namespace Cordon.Infrastructure.Csv;

public sealed class CsvFormatException(int row, string message) : Exception(message)
{
    public int Row { get; } = row;
}

/// <summary>
/// RFC 4180 CSV: comma-separated, fields optionally in double quotes (which may hold commas, line breaks and
/// doubled quotes). Small enough to own, and it reports the row where a file goes wrong.
/// </summary>
public static class Csv
{
    /// <summary>The records of the file with the 1-based row number each starts on.</summary>
    public static IEnumerable<(int Row, string[] Fields)> Read(TextReader reader)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var row = 1;
        var recordRow = 1;
        var quoted = false;
        var atFieldStart = true;
        int c;
        while ((c = reader.Read()) != -1)
        {
            var ch = (char)c;
            if (quoted)
            {
                if (ch == '"')
                {
                    if (reader.Peek() == '"') { field.Append('"'); reader.Read(); }
                    else quoted = false;
                }
                else
                {
                    if (ch == '\n') row++;
                    field.Append(ch);
                }
                continue;
            }
            switch (ch)
            {
                case '"' when atFieldStart:
                    quoted = true;
                    atFieldStart = false;
                    break;
                case '"':
                    throw new CsvFormatException(row, $"a quote inside an unquoted field on row {row}");
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    atFieldStart = true;
                    break;
                case '\r':
                    break;
                case '\n':
                    fields.Add(field.ToString());
                    field.Clear();
                    yield return (recordRow, fields.ToArray());
                    fields.Clear();
                    row++;
                    recordRow = row;
                    atFieldStart = true;
                    break;
                default:
                    field.Append(ch);
                    atFieldStart = false;
                    break;
            }
        }
        if (quoted) throw new CsvFormatException(recordRow, $"a quoted field that starts on row {recordRow} is never closed");
        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            yield return (recordRow, fields.ToArray());
        }
    }

    /// <summary>Quotes a field when it holds a comma, quote or line break; neutralises spreadsheet formulas.</summary>
    public static string Escape(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        if (value[0] is '=' or '+' or '-' or '@') value = "'" + value;
        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    public static string Line(IEnumerable<string?> values) => string.Join(",", values.Select(Escape));
}
