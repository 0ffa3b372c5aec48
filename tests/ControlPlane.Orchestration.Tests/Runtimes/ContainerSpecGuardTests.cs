using ControlPlane.Orchestration.Runtimes;

namespace ControlPlane.Orchestration.Tests.Runtimes;

public sealed class ContainerSpecGuardTests
{
    private static ContainerSpec Spec(params VolumeMount[] mounts) => new(
        "guarded", "image:1", null, [], new Dictionary<string, string>(), mounts, null, null, new ResourceLimits(1, 1 << 30), false, [], new Dictionary<string, string>(), "/tmp");

    [Fact]
    public void A_symbolic_link_to_the_socket_directory_is_refused_like_the_directory_itself()
    {
        var directory = Path.Join(Path.GetTempPath(), "cpt-guard-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        try
        {
            var link = Path.Join(directory, "run-link");
            Directory.CreateSymbolicLink(link, "/var/run");

            var error = ContainerSpecGuard.Check(Spec(new VolumeMount(link, "/host-run", ReadOnly: true)), dockerEndpoint: null);

            Assert.NotNull(error);
            Assert.Contains("would expose the Docker socket", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void The_configured_endpoints_socket_is_protected_as_well()
    {
        var error = ContainerSpecGuard.Check(Spec(new VolumeMount("/srv/engine", "/x", ReadOnly: true)), new Uri("unix:///srv/engine/docker.sock"));

        Assert.NotNull(error);
    }

    [Theory]
    [InlineData("/var/lib/data")]
    [InlineData("/tmp")]
    [InlineData("/var/run-other")]
    public void Other_host_paths_are_allowed(string hostPath)
    {
        Assert.Null(ContainerSpecGuard.Check(Spec(new VolumeMount(hostPath, "/opt/ml/input", ReadOnly: true)), dockerEndpoint: null));
    }

    [Theory]
    [InlineData("bad name")]
    [InlineData("-leading-dash")]
    [InlineData("")]
    public void A_container_name_docker_would_reject_is_refused_up_front(string name)
    {
        var error = ContainerSpecGuard.Check(Spec() with { Name = name }, dockerEndpoint: null);

        Assert.NotNull(error);
        Assert.Contains("Container name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Real_paths_resolve_links_in_the_middle_and_keep_missing_parts()
    {
        Assert.Equal("/run/docker.sock", ContainerSpecGuard.RealPath("/var/run/docker.sock"));
        Assert.Equal("/run/nothing/here", ContainerSpecGuard.RealPath("/var/run/./nothing/../nothing/here"));
    }
}
