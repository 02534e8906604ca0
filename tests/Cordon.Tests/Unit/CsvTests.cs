using Cordon.Infrastructure.Csv;

namespace Cordon.Tests.Unit;

/// <summary>The RFC 4180 reader behind every import: quoting, line breaks inside fields, and where a broken file goes wrong.</summary>
public class CsvTests
{
    private static List<(int Row, string[] Fields)> Read(string text) => Csv.Read(new StringReader(text)).ToList();

    [Fact]
    public void Reads_records_with_their_row_numbers()
    {
        var records = Read("name,phone\n张三,13812345678\n李四,13912345678\n");

        records.Select(r => r.Row).ShouldBe([1, 2, 3]);
        records[0].Fields.ShouldBe(["name", "phone"]);
        records[2].Fields.ShouldBe(["李四", "13912345678"]);
    }

    [Theory]
    [InlineData("a,b\r\n1,2\r\n")]
    [InlineData("a,b\n1,2\n")]
    [InlineData("a,b\r\n1,2")]
    [InlineData("a,b\n1,2")]
    public void Line_ends_may_be_crlf_or_lf_and_the_last_may_be_missing(string text)
    {
        var records = Read(text);

        records.Count.ShouldBe(2);
        records[0].Fields.ShouldBe(["a", "b"]);
        records[1].Fields.ShouldBe(["1", "2"]);
    }

    [Theory]
    [InlineData("\"x,y\",z", new[] { "x,y", "z" })]
    [InlineData("\"say \"\"hi\"\"\",x", new[] { "say \"hi\"", "x" })]
    [InlineData("\"\"\"\"", new[] { "\"" })]
    [InlineData("\"\",b", new[] { "", "b" })]
    [InlineData("a,,c", new[] { "a", "", "c" })]
    [InlineData("a,b,", new[] { "a", "b", "" })]
    [InlineData(",", new[] { "", "" })]
    [InlineData(" a , b ", new[] { " a ", " b " })]
    [InlineData("3号楼,\"2单元, 501\"", new[] { "3号楼", "2单元, 501" })]
    public void Quoted_fields_hold_commas_and_doubled_quotes(string line, string[] fields) =>
        Read(line).ShouldHaveSingleItem().Fields.ShouldBe(fields);

    [Fact]
    public void A_quoted_field_may_span_lines_and_the_next_record_keeps_its_true_row_number()
    {
        var records = Read("name,address\n张三,\"幸福路1号\n3号楼\r\n501\"\n李四,团结路2号\n");

        records.Select(r => r.Row).ShouldBe([1, 2, 5]);
        records[1].Fields.ShouldBe(["张三", "幸福路1号\n3号楼\r\n501"]);
        records[2].Fields.ShouldBe(["李四", "团结路2号"]);
    }

    [Fact]
    public void An_empty_line_is_a_record_with_one_empty_field()
    {
        var records = Read("a\n\nb\n");

        records.Select(r => (r.Row, r.Fields.Length, r.Fields[0])).ShouldBe([(1, 1, "a"), (2, 1, ""), (3, 1, "b")]);
    }

    [Fact]
    public void An_empty_file_has_no_records() => Read("").ShouldBeEmpty();

    [Theory]
    [InlineData("a,b\n\"open,c\n", 2)]
    [InlineData("a,b\n1,2\n3,\"never closed", 3)]
    [InlineData("\"a\nb\nc", 1)]
    [InlineData("a\n\"x\"\"", 2)]
    public void An_unterminated_quote_is_an_error_naming_the_row_it_starts_on(string text, int row)
    {
        var error = Should.Throw<CsvFormatException>(() => Read(text));

        error.Row.ShouldBe(row);
        error.Message.ShouldContain($"row {row}");
    }

    [Theory]
    [InlineData("ab\"c", 1)]
    [InlineData("a,b\n1,2\"\n", 2)]
    public void A_quote_inside_an_unquoted_field_is_an_error_naming_the_row(string text, int row) =>
        Should.Throw<CsvFormatException>(() => Read(text)).Row.ShouldBe(row);

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("=SUM(A1:A9)", "'=SUM(A1:A9)")] // a spreadsheet would run it as a formula
    [InlineData("+1", "'+1")]
    [InlineData("-1", "'-1")]
    [InlineData("@cmd", "'@cmd")]
    [InlineData("=1,2", "\"'=1,2\"")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void Escaping_quotes_what_needs_it_and_defuses_formulas(string? value, string escaped) => Csv.Escape(value).ShouldBe(escaped);

    [Fact]
    public void What_Line_writes_Read_reads_back()
    {
        string[] values = ["张三", "a,b", "say \"hi\"", "line1\nline2", "", "13812345678", "crlf\r\ninside"];

        var line = Csv.Line(values);

        Read(line).ShouldHaveSingleItem().Fields.ShouldBe(values);
    }
}
