using System.Globalization;
using System.Text.Json;
using Bogus;
using Cordon.Features.Identity;
using Cordon.Features.Registry;
using Cordon.Features.Testing;
using Cordon.Infrastructure.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Cordon.Features.Demo;

/// <summary>A demo account shown on the login page while demo data is present.</summary>
public sealed record DemoAccount(string UserName, string Role, string JurisdictionCode, string Description);

/// <summary>
/// The fictional 示范市 (990100) / 示范区 (990102): 8 streets, 60 communities with buildings and simple square
/// boundaries, residents with Chinese names, venues of every category and a staff user for every role.
/// Deterministic: the same seed gives the same district, so screenshots, tests and benchmarks agree.
/// </summary>
public sealed partial class DemoDistrict(
    CordonDbContext db, ResidentBulkWriter residents, UserManager<CordonUser> users, RoleManager<IdentityRole> roles,
    TimeProvider clock, CityTime cityTime, ILogger<DemoDistrict> log)
{
    public const string CityCode = "990100";
    public const string DistrictCode = "990102";
    public const string Password = "Cordon-Demo-2026";
    private const int Seed = 20220501;

    private static readonly string[] StreetNames = ["东城街道", "西城街道", "南湖街道", "北山街道", "新华街道", "和平街道", "光明街道", "滨江街道"];
    private static readonly string[] CommunityNames =
    [
        "幸福", "团结", "友谊", "民主", "建设", "文化", "育才", "青年", "朝阳", "向阳", "春晖", "丽景", "康乐", "安居", "锦绣",
        "翠竹", "金桥", "银河", "长青", "玉泉", "花园", "书院", "体育", "公园", "站前", "新村", "梨园", "桃源", "柳湾", "荷塘",
        "枫林", "松涛", "南苑", "北苑", "东苑", "西苑", "阳光", "富民", "兴隆", "和谐", "百花", "凤凰", "明珠", "龙湖", "清河",
        "滨湖", "望江", "临江", "沿河", "矿山", "钢城", "纺织", "电厂", "铁路", "学府", "科技", "工业", "商贸", "新城", "古镇",
    ];

    public static readonly DemoAccount[] Accounts =
    [
        new("admin", Roles.Admin, CityCode, "系统管理员 · 示范市"),
        new("commander", Roles.Commander, DistrictCode, "区指挥部 · 示范区"),
        new("epi", Roles.Epidemiologist, DistrictCode, "流调队员 · 示范区"),
        new("worker", Roles.CommunityWorker, "990102001001", "社区工作者 · 东城街道幸福社区"),
        new("worker2", Roles.CommunityWorker, "990102001002", "社区工作者 · 东城街道团结社区"),
        new("sampler", Roles.SamplingStaff, "990102001", "采样人员 · 东城街道"),
        new("lab", Roles.LabTechnician, DistrictCode, "检测机构 · 示范区"),
        new("quarantine", Roles.QuarantineManager, DistrictCode, "隔离点管理 · 示范区"),
        new("inspector", Roles.Inspector, DistrictCode, "督导检查 · 示范区"),
        new("resident", Roles.Resident, "990102001001", "市民 · 幸福社区"),
    ];

    public async Task<bool> IsPresentAsync(CancellationToken ct = default) => await db.Areas.AnyAsync(a => a.Code == DistrictCode, ct);

    /// <summary>Creates the district unless it exists. Returns false when it was already there.</summary>
    public async Task<bool> SeedAsync(int residentCount, Action<string> progress, CancellationToken ct = default)
    {
        await EnsureRolesAsync();
        if (await IsPresentAsync(ct)) return false;
        var started = clock.GetTimestamp();

        var areas = Areas();
        db.Areas.AddRange(areas);
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
        var buildings = areas.Where(a => a.Level == AreaLevel.Building).Select(a => a.Code).ToArray();
        progress($"areas: {areas.Count} (8 streets, {areas.Count(a => a.Level == AreaLevel.Community)} communities, {buildings.Length} buildings)");

        var loaded = await residents.WriteAsync(Residents(residentCount, buildings, Seed), ct);
        progress($"residents: {loaded}");

        var now = clock.GetUtcNow().UtcDateTime;
        db.Venues.AddRange(Venues(areas, now));
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
        progress($"venues: {await db.Venues.CountAsync(ct)}");

        await DemoTesting.SeedAsync(db, areas, now, ct);
        db.ChangeTracker.Clear();
        await DemoTesting.SeedRoundAsync(db, areas, cityTime, ct);
        db.ChangeTracker.Clear();
        progress($"testing: {await db.SamplingSites.CountAsync(ct)} sampling sites, {await db.Labs.CountAsync(ct)} labs, key-group testing intervals, a screening round with {await db.TubeMembers.CountAsync(ct)} people sampled");

        await CreateAccountsAsync(ct);
        await DemoTesting.AssignSamplerAsync(db, ct);
        progress($"staff and resident accounts: {Accounts.Length} (password {Password})");
        LogSeeded(log, loaded, clock.GetElapsedTime(started).TotalSeconds);
        return true;
    }

    public async Task EnsureRolesAsync()
    {
        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role)) await roles.CreateAsync(new IdentityRole(role));
        }
    }

    private async Task CreateAccountsAsync(CancellationToken ct)
    {
        var residentId = await db.Residents.Where(r => r.AreaCode.StartsWith("990102001001")).OrderBy(r => r.Id).Select(r => r.Id).FirstOrDefaultAsync(ct);
        foreach (var account in Accounts)
        {
            var user = new CordonUser
            {
                UserName = account.UserName,
                DisplayName = account.Description,
                JurisdictionCode = account.JurisdictionCode,
                JurisdictionPrefix = AreaCode.PrefixOf(account.JurisdictionCode),
                ResidentId = account.Role == Roles.Resident && residentId > 0 ? residentId : null,
                IsDemo = true,
            };
            var result = await users.CreateAsync(user, Password);
            if (!result.Succeeded) throw new InvalidOperationException($"Demo user {account.UserName}: {result.Errors.First().Description}");
            await users.AddToRoleAsync(user, account.Role);
        }
    }

    internal static List<Area> Areas()
    {
        // A 4 x 2 grid of streets, each a grid of communities; coordinates around a fictional centre.
        const double lat0 = 27.60, lon0 = 113.80, streetSize = 0.04;
        var areas = new List<Area>
        {
            new() { Code = CityCode, Name = "示范市", Level = AreaLevel.City, Prefix = AreaCode.PrefixOf(CityCode), Latitude = lat0 + 0.04, Longitude = lon0 + 0.08 },
            new()
            {
                Code = DistrictCode, Name = "示范区", Level = AreaLevel.District, ParentCode = CityCode, Prefix = DistrictCode,
                Latitude = lat0 + 0.04, Longitude = lon0 + 0.08, BoundaryGeoJson = Square(lat0, lon0, lat0 + 2 * streetSize, lon0 + 4 * streetSize),
            },
        };
        var communityIndex = 0;
        for (var s = 0; s < StreetNames.Length; s++)
        {
            var streetCode = $"{DistrictCode}{s + 1:000}";
            var (sLat, sLon) = (lat0 + s / 4 * streetSize, lon0 + s % 4 * streetSize);
            areas.Add(new Area
            {
                Code = streetCode,
                Name = StreetNames[s],
                Level = AreaLevel.Street,
                ParentCode = DistrictCode,
                Prefix = streetCode,
                Latitude = sLat + streetSize / 2,
                Longitude = sLon + streetSize / 2,
                BoundaryGeoJson = Square(sLat, sLon, sLat + streetSize, sLon + streetSize),
            });
            var communities = s < 4 ? 8 : 7;
            const double cell = streetSize / 3;
            for (var c = 0; c < communities; c++, communityIndex++)
            {
                var communityCode = $"{streetCode}{c + 1:000}";
                var (cLat, cLon) = (sLat + c / 3 * cell, sLon + c % 3 * cell);
                areas.Add(new Area
                {
                    Code = communityCode,
                    Name = CommunityNames[communityIndex] + "社区",
                    Level = AreaLevel.Community,
                    ParentCode = streetCode,
                    Prefix = communityCode,
                    Latitude = cLat + cell / 2,
                    Longitude = cLon + cell / 2,
                    BoundaryGeoJson = Square(cLat, cLon, cLat + cell, cLon + cell),
                });
                var buildingCount = 6 + communityIndex * 5 % 7;
                for (var b = 0; b < buildingCount; b++)
                {
                    var buildingCode = $"{communityCode}{b + 1:000}";
                    areas.Add(new Area
                    {
                        Code = buildingCode,
                        Name = $"{b + 1}号楼",
                        Level = AreaLevel.Building,
                        ParentCode = communityCode,
                        Prefix = buildingCode,
                        Latitude = cLat + cell * (0.15 + 0.7 * (b / 3) / 3.0),
                        Longitude = cLon + cell * (0.2 + 0.3 * (b % 3)),
                    });
                }
            }
        }
        return areas;
    }

    private static string Square(double south, double west, double north, double east) => JsonSerializer.Serialize(new
    {
        type = "Polygon",
        coordinates = new[] { new[] { new[] { west, south }, new[] { east, south }, new[] { east, north }, new[] { west, north }, new[] { west, south } } },
    });

    /// <summary>
    /// Residents spread over the buildings, with plausible names, ages, phones and ~8 % in a key group. ID numbers
    /// are unique by construction (birth day and sequence number both follow from the row number) for up to
    /// 16 million rows per <paramref name="idArea"/>, the 6-digit birthplace code at the start of the ID number.
    /// </summary>
    public static IEnumerable<ResidentRow> Residents(int count, string[] buildings, int seed, string idArea = DistrictCode)
    {
        const int days = 32_000; // about 88 years of birth dates
        var faker = new Faker("zh_CN") { Random = new Randomizer(seed) };
        var random = faker.Random;
        var keyGroups = Enum.GetValues<KeyGroup>().Where(g => g != KeyGroup.None).ToArray();
        var start = new DateOnly(1935, 1, 1);
        for (var i = 0; i < count; i++)
        {
            var sex = i % 2 == 0 ? Sex.Male : Sex.Female;
            // 7919 is prime to 32,000, so (i * 7919) mod 32,000 visits every day once per 32,000 rows.
            var birth = start.AddDays((int)((long)i * 7919 % days));
            var id = ResidentIdNumber.Compose(idArea, birth, i / days, sex);
            var building = buildings[i % buildings.Length];
            var floor = random.Int(1, 18);
            yield return new ResidentRow(
                faker.Name.LastName() + faker.Name.FirstName(),
                id,
                "1" + random.ArrayElement(PhonePrefixes) + random.Int(0, 999_999_999).ToString("000000000", CultureInfo.InvariantCulture),
                building,
                $"H{building[6..]}{floor:00}{i % 4 + 1}",
                $"{random.Int(1, 4)}单元",
                $"{floor}0{i % 4 + 1}",
                random.Int(0, 99) < 8 ? random.ArrayElement(keyGroups) : KeyGroup.None);
        }
    }

    private static readonly string[] PhonePrefixes = ["3", "5", "7", "8", "9"];

    private static readonly Dictionary<VenueCategory, string[]> VenueNames = new()
    {
        [VenueCategory.Supermarket] = ["惠民超市", "联华超市", "便民超市"],
        [VenueCategory.Market] = ["农贸市场", "菜市场", "海鲜市场"],
        [VenueCategory.Restaurant] = ["家常菜馆", "面馆", "火锅店", "快餐店"],
        [VenueCategory.ConstructionSite] = ["建筑工地"],
        [VenueCategory.Campus] = ["产业园"],
        [VenueCategory.School] = ["小学", "中学", "幼儿园"],
        [VenueCategory.Hospital] = ["社区卫生服务中心", "人民医院"],
        [VenueCategory.Office] = ["写字楼", "政务服务中心"],
        [VenueCategory.Transport] = ["公交总站", "地铁站"],
        [VenueCategory.ResidentialGate] = ["小区东门", "小区西门"],
        [VenueCategory.Hotel] = ["快捷酒店"],
        [VenueCategory.Entertainment] = ["电影院", "健身房"],
        [VenueCategory.Pharmacy] = ["大药房"],
        [VenueCategory.ColdChainWarehouse] = ["冷链仓储中心"],
    };

    private static IEnumerable<Venue> Venues(List<Area> areas, DateTime now)
    {
        var random = new Randomizer(Seed + 1);
        var communities = areas.Where(a => a.Level == AreaLevel.Community).ToList();
        var categories = VenueNames.Keys.ToArray();
        var i = 0;
        foreach (var community in communities)
        {
            // Every community gets its gates and a shop; the rest cycles through all categories.
            var count = 8 + random.Int(0, 1);
            for (var n = 0; n < count; n++, i++)
            {
                var category = n switch { 0 => VenueCategory.ResidentialGate, 1 => VenueCategory.Supermarket, _ => categories[i % categories.Length] };
                var names = VenueNames[category];
                var name = $"{community.Name[..^2]}{names[(i / categories.Length + n) % names.Length]}";
                yield return new Venue
                {
                    Name = n > 1 && category is VenueCategory.ResidentialGate or VenueCategory.Supermarket ? $"{name}{n}" : name,
                    Category = category,
                    AreaCode = community.Code,
                    Address = $"{community.Name[..^2]}路{random.Int(1, 300)}号",
                    VenueCode = "V" + random.String2(10, "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"),
                    Status = random.Int(0, 49) == 0 ? VenueStatus.Suspended : VenueStatus.Open,
                    Latitude = community.Latitude + random.Double(-0.005, 0.005),
                    Longitude = community.Longitude + random.Double(-0.005, 0.005),
                    CreatedAt = now,
                    UpdatedAt = now,
                };
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo district created: {Residents} residents in {Seconds:F1} s")]
    private static partial void LogSeeded(ILogger logger, int residents, double seconds);
}
