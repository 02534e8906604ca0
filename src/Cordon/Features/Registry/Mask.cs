namespace Cordon.Features.Registry;

/// <summary>How personal data is shown by default: enough to recognise, not enough to identify.</summary>
public static class Mask
{
    /// <summary>张三 → 张*, 张小三 → 张*三, 欧阳小三 → 欧**三.</summary>
    public static string Name(string name)
    {
        var chars = System.Globalization.StringInfo.GetTextElementEnumerator(name.Trim());
        var elements = new List<string>();
        while (chars.MoveNext()) elements.Add((string)chars.Current);
        return elements.Count switch
        {
            0 => "",
            1 => elements[0],
            2 => elements[0] + "*",
            _ => elements[0] + new string('*', elements.Count - 2) + elements[^1],
        };
    }

    /// <summary>110101199003071234 → 110***********1234.</summary>
    public static string IdNumber(string id) =>
        id.Length <= 7 ? new string('*', id.Length) : id[..3] + new string('*', id.Length - 7) + id[^4..];

    /// <summary>13812345678 → 138****5678.</summary>
    public static string Phone(string phone) =>
        phone.Length <= 7 ? new string('*', phone.Length) : phone[..3] + new string('*', phone.Length - 7) + phone[^4..];

    /// <summary>Keeps the area part of an address, hides the room: 3号楼2单元 501 → 3号楼2单元 ***.</summary>
    public static string Room(string? room) => string.IsNullOrEmpty(room) ? "" : "***";
}
