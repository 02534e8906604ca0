using System.Globalization;
using System.Text;
using Cordon.Features.Registry;

namespace Cordon.Tests.Support;

/// <summary>
/// Data no other test (and not the demo seed) uses: ID numbers with birthplace 110101 (the demo uses 990102),
/// phones starting 166 (the demo never does), and names with a rare prefix and a per-call tag.
/// </summary>
public static class TestData
{
    private static int _counter;
    private static readonly DateOnly FirstBirthDate = new(1950, 1, 1);

    private static int Next() => Interlocked.Increment(ref _counter);

    public static string NewIdNumber()
    {
        var n = Next();
        return ResidentIdNumber.Compose("110101", FirstBirthDate.AddDays(n % 20_000), n / 20_000, n % 2 == 0 ? Sex.Female : Sex.Male);
    }

    /// <summary>A valid ID number whose check character is X (about one in eleven is).</summary>
    public static string NewIdNumberEndingInX()
    {
        while (true)
        {
            var id = NewIdNumber();
            if (id.EndsWith('X')) return id;
        }
    }

    /// <summary>A tag of Chinese numerals unique to this call: 壹贰叁...</summary>
    public static string NewTag() =>
        string.Concat(Next().ToString(CultureInfo.InvariantCulture).Select(d => "零壹贰叁肆伍陆柒捌玖"[d - '0']));

    /// <summary>A name prefix no resident has yet; names starting with it are this test's own.</summary>
    public static string NewNamePrefix() => "测试" + NewTag();

    /// <summary>A phone prefix (10 digits) no resident has yet; add one digit for a full mobile number.</summary>
    public static string NewPhonePrefix() => "166" + Next().ToString("0000000", CultureInfo.InvariantCulture);

    public static string NewPhone() => NewPhonePrefix() + "0";

    public static string UniqueUserName() => "user" + Next().ToString(CultureInfo.InvariantCulture);

    public static ResidentInput Resident(string areaCode, string? name = null, string? idNumber = null, string? phone = null) =>
        new(name ?? NewNamePrefix() + "明", idNumber ?? NewIdNumber(), phone ?? NewPhone(), areaCode, "H01", "1单元", "501");

    public static VenueInput Venue(string areaCode, string? name = null) =>
        new(name ?? "测试超市" + NewTag(), VenueCategory.Supermarket, areaCode, "测试路1号");

    /// <summary>A residents CSV file as the import expects it (header first).</summary>
    public static string ResidentsCsv(params ResidentInput[] rows)
    {
        var csv = new StringBuilder("name,idNumber,phone,areaCode,household,unit,room,keyGroup\n");
        foreach (var r in rows)
        {
            csv.Append(Cordon.Infrastructure.Csv.Csv.Line([r.Name, r.IdNumber, r.Phone, r.AreaCode, r.Household, r.Unit, r.Room, r.KeyGroup.ToString()]));
            csv.Append('\n');
        }
        return csv.ToString();
    }

    public static MultipartFormDataContent CsvFile(string csv, string fileName = "residents.csv")
    {
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(csv));
        file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");
        return new MultipartFormDataContent { { file, "file", fileName } };
    }
}
