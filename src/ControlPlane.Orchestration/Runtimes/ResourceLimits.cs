using System.Globalization;

namespace ControlPlane.Orchestration.Runtimes;

/// <summary>CPU and memory a container may use.</summary>
/// <param name="Cpus">CPUs, fractions allowed (Docker NanoCPUs = Cpus x 1e9).</param>
/// <param name="MemoryBytes">The memory limit in bytes (Docker Memory).</param>
public sealed record ResourceLimits(double Cpus, long MemoryBytes)
{
    private const long GiB = 1024L * 1024 * 1024;

    /// <summary>
    /// GiB of memory per vCPU by instance family (AWS instance type pages; c4 and c5n rounded from 3.75 and 5.25 GiB per
    /// 2 vCPU, p3 from 61 GiB per 8 vCPU). A family not listed is treated like m5.
    /// </summary>
    private static readonly Dictionary<string, double> GibPerVcpu = new(StringComparer.OrdinalIgnoreCase)
    {
        ["m4"] = 4, ["m5"] = 4, ["m5d"] = 4, ["m6i"] = 4, ["m6g"] = 4, ["m7i"] = 4, ["m7g"] = 4,
        ["c4"] = 1.875, ["c5"] = 2, ["c5d"] = 2, ["c5n"] = 2.625, ["c6i"] = 2, ["c6g"] = 2, ["c7i"] = 2, ["c7g"] = 2,
        ["r5"] = 8, ["r5d"] = 8, ["r6i"] = 8, ["r6g"] = 8, ["r7i"] = 8,
        ["g4dn"] = 4, ["g5"] = 4, ["g6"] = 4, ["p3"] = 7.625, ["p4d"] = 12,
    };

    /// <summary>The burstable families do not follow the per-vCPU rule: (vCPU, GiB) by size, the same for t2 and t3.</summary>
    private static readonly Dictionary<string, (int Vcpus, double Gib)> Burstable = new(StringComparer.OrdinalIgnoreCase)
    {
        ["medium"] = (2, 4), ["large"] = (2, 8), ["xlarge"] = (4, 16), ["2xlarge"] = (8, 32),
    };

    /// <summary>
    /// The limits for an <c>ml.*</c> instance type, capped at what this host has. vCPUs by size: <c>medium</c> and
    /// <c>large</c> 2, <c>xlarge</c> 4, <c>Nxlarge</c> 4N; memory = vCPUs x the family's GiB per vCPU (m 4, c 2, r 8,
    /// g4dn/g5/g6 4, p3 7.625, p4d 12); t2/t3: medium 2 vCPU 4 GiB, large 2/8, xlarge 4/16, 2xlarge 8/32. Null,
    /// <c>local</c> or anything unparseable gets the whole host.
    /// </summary>
    public static ResourceLimits ForInstanceType(string? instanceType) =>
        ForInstanceType(instanceType, Environment.ProcessorCount, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);

    internal static ResourceLimits ForInstanceType(string? instanceType, double hostCpus, long hostMemoryBytes)
    {
        var host = new ResourceLimits(hostCpus, hostMemoryBytes);
        if (Nominal(instanceType) is not { } nominal)
        {
            return host;
        }

        return new ResourceLimits(Math.Min(nominal.Cpus, hostCpus), Math.Min(nominal.MemoryBytes, hostMemoryBytes));
    }

    /// <summary>The instance type's own size, uncapped; null when it is not an <c>ml.family.size</c> we can read.</summary>
    internal static ResourceLimits? Nominal(string? instanceType)
    {
        var parts = instanceType?.Split('.');
        if (parts is not ["ml", var family, var size] || family.Length == 0)
        {
            return null;
        }

        if (family.Equals("t2", StringComparison.OrdinalIgnoreCase) || family.Equals("t3", StringComparison.OrdinalIgnoreCase))
        {
            return Burstable.TryGetValue(size, out var burst) ? new ResourceLimits(burst.Vcpus, (long)(burst.Gib * GiB)) : null;
        }

        if (Vcpus(size) is not { } vcpus)
        {
            return null;
        }

        var gibPerVcpu = GibPerVcpu.GetValueOrDefault(family, 4);
        return new ResourceLimits(vcpus, (long)(vcpus * gibPerVcpu * GiB));
    }

    private static int? Vcpus(string size)
    {
        if (size.Equals("medium", StringComparison.OrdinalIgnoreCase) || size.Equals("large", StringComparison.OrdinalIgnoreCase))
        {
            return 2;
        }

        if (!size.EndsWith("xlarge", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var multiplier = size[..^"xlarge".Length];
        if (multiplier.Length == 0)
        {
            return 4;
        }

        return int.TryParse(multiplier, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 64 ? 4 * n : null;
    }
}
