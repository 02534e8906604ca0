namespace Cordon.Resources;

/// <summary>Marker for the UI strings in Strings.resx (English) and Strings.zh-CN.resx (中文).</summary>
public sealed class Strings;
