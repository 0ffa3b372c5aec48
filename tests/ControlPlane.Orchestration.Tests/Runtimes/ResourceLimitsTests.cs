using ControlPlane.Orchestration.Runtimes;

namespace ControlPlane.Orchestration.Tests.Runtimes;

public sealed class ResourceLimitsTests
{
    private const long GiB = 1024L * 1024 * 1024;

    [Theory]
    [InlineData("ml.m5.large", 2, 8)]
    [InlineData("ml.m5.xlarge", 4, 16)]
    [InlineData("ml.m5.2xlarge", 8, 32)]
    [InlineData("ml.m5.24xlarge", 96, 384)]
    [InlineData("ml.c5.xlarge", 4, 8)]
    [InlineData("ml.c5.18xlarge", 72, 144)]
    [InlineData("ml.r5.large", 2, 16)]
    [InlineData("ml.t2.medium", 2, 4)]
    [InlineData("ml.t3.large", 2, 8)]
    [InlineData("ml.t3.2xlarge", 8, 32)]
    [InlineData("ml.g4dn.xlarge", 4, 16)]
    [InlineData("ml.p3.2xlarge", 8, 61)]
    [InlineData("ml.m99.xlarge", 4, 16)]
    public void An_ml_instance_type_gets_its_vcpus_and_memory_from_the_table(string instanceType, int vcpus, double gib)
    {
        var limits = ResourceLimits.ForInstanceType(instanceType, hostCpus: 1024, hostMemoryBytes: 4096 * GiB);

        Assert.Equal(new ResourceLimits(vcpus, (long)(gib * GiB)), limits);
    }

    [Fact]
    public void Limits_are_capped_at_what_the_host_has()
    {
        Assert.Equal(new ResourceLimits(2, 3 * GiB), ResourceLimits.ForInstanceType("ml.m5.4xlarge", hostCpus: 2, hostMemoryBytes: 3 * GiB));
        Assert.Equal(new ResourceLimits(2, 8 * GiB), ResourceLimits.ForInstanceType("ml.m5.large", hostCpus: 2, hostMemoryBytes: 64 * GiB));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("local")]
    [InlineData("ml.m5")]
    [InlineData("ml.m5.huge")]
    [InlineData("ml.t2.4xlarge")]
    [InlineData("m5.xlarge")]
    public void Anything_that_is_not_a_known_ml_type_gets_the_whole_host(string? instanceType)
    {
        Assert.Equal(new ResourceLimits(3, 5 * GiB), ResourceLimits.ForInstanceType(instanceType, hostCpus: 3, hostMemoryBytes: 5 * GiB));
    }

    [Fact]
    public void The_public_overload_uses_this_hosts_capacity()
    {
        var limits = ResourceLimits.ForInstanceType("ml.m5.24xlarge");

        Assert.Equal(Math.Min(96, Environment.ProcessorCount), limits.Cpus);
        Assert.True(limits.MemoryBytes <= GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
    }
}
