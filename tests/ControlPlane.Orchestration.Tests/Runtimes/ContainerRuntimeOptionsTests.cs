using ControlPlane.Orchestration.Runtimes;
using Microsoft.Extensions.Configuration;

namespace ControlPlane.Orchestration.Tests.Runtimes;

public sealed class ContainerRuntimeOptionsTests
{
    private static ContainerRuntimeOptions Read(string json)
    {
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json));
        return ContainerRuntimeOptions.FromConfiguration(new ConfigurationBuilder().AddJsonStream(stream).Build());
    }

    [Fact]
    public void Defaults_are_auto_and_the_local_docker_socket()
    {
        var options = Read("{}");

        Assert.Equal(RuntimeKind.Auto, options.Runtime);
        Assert.Equal(new Uri("unix:///var/run/docker.sock"), options.DockerEndpoint);
        Assert.Equal(TimeSpan.FromSeconds(2), options.DockerPingTimeout);
        Assert.Empty(options.Registries);
        // The one stand-in every service has: the built-in algorithms program shipped beside it.
        Assert.Equal([new Orchestration.BuiltInAlgorithms.BuiltInAlgorithmOptions().Image], options.ProcessImages.Keys);
    }

    [Fact]
    public void Registry_hosts_and_image_references_with_colons_are_read_whole()
    {
        var options = Read("""
            {"ControlPlane": {"Containers": {
              "Runtime": "Process",
              "DockerEndpoint": "tcp://10.0.0.5:2375",
              "DockerPingTimeoutSeconds": "0.5",
              "Registries": {
                "127.0.0.1:5000": {"Username": "alice", "Password": "secret"},
                "123456789012.dkr.ecr.us-east-1.amazonaws.com": {"username": "AWS", "password": "token"}
              },
              "ProcessImages": {
                "127.0.0.1:5000/trainer:1": "python3 '/opt/my trainer/train.py' --verbose",
                "xgboost": "dotnet /opt/xgb/Xgb.dll"
              }
            }}}
            """);

        Assert.Equal(RuntimeKind.Process, options.Runtime);
        Assert.Equal(new Uri("tcp://10.0.0.5:2375"), options.DockerEndpoint);
        Assert.Equal(TimeSpan.FromSeconds(0.5), options.DockerPingTimeout);
        Assert.Equal(new RegistryCredentials("alice", "secret"), options.Registries["127.0.0.1:5000"]);
        Assert.Equal(new RegistryCredentials("AWS", "token"), options.Registries["123456789012.dkr.ecr.us-east-1.amazonaws.com"]);
        Assert.Equal(["python3", "/opt/my trainer/train.py", "--verbose"], options.ProcessCommandFor("127.0.0.1:5000/trainer:1"));
        Assert.Null(options.ProcessCommandFor("127.0.0.1:5000/trainer:2"));
        Assert.Equal(["dotnet", "/opt/xgb/Xgb.dll"], options.ProcessCommandFor("xgboost:1.7-1"));
    }

    [Theory]
    [InlineData("""{"ControlPlane": {"Containers": {"Runtime": "kubernetes"}}}""", "Runtime must be auto, docker or process")]
    [InlineData("""{"ControlPlane": {"Containers": {"Runtime": "3"}}}""", "Runtime must be auto, docker or process")]
    [InlineData("""{"ControlPlane": {"Containers": {"DockerEndpoint": "docker.sock"}}}""", "is not an absolute URI")]
    [InlineData("""{"ControlPlane": {"Containers": {"Registries": {"r.example.com": {"Username": "u"}}}}}""", "needs both Username and Password")]
    [InlineData("""{"ControlPlane": {"Containers": {"ProcessImages": {"x": "python3 'unclosed"}}}}""", "Unclosed single quote")]
    public void A_bad_value_fails_at_start_up_with_the_key_in_the_message(string json, string message)
    {
        var error = Assert.Throws<ContainerRuntimeException>(() => Read(json));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("python3 train.py", new[] { "python3", "train.py" })]
    [InlineData("  a   b\tc ", new[] { "a", "b", "c" })]
    [InlineData("""python3 "/opt/a b/t.py" 'x"y' z\ w""", new[] { "python3", "/opt/a b/t.py", "x\"y", "z w" })]
    [InlineData("""a "say \"hi\"" ''""", new[] { "a", "say \"hi\"", "" })]
    public void A_command_line_is_split_into_words_like_a_shell_without_expansion(string commandLine, string[] words)
    {
        Assert.Equal(words, ContainerRuntimeOptions.SplitCommandLine(commandLine));
    }

    [Theory]
    [InlineData("127.0.0.1:5000/my-trainer:1", "127.0.0.1:5000", "127.0.0.1:5000/my-trainer", "1")]
    [InlineData("localhost/a/b", "localhost", "localhost/a/b", "latest")]
    [InlineData("123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost:1.7-1", "123456789012.dkr.ecr.us-east-1.amazonaws.com", "123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost", "1.7-1")]
    [InlineData("controlplane/base:bookworm", "docker.io", "controlplane/base", "bookworm")]
    [InlineData("python", "docker.io", "python", "latest")]
    [InlineData("r.example.com:443/x@sha256:abc", "r.example.com:443", "r.example.com:443/x", "sha256:abc")]
    public void An_image_reference_is_split_into_registry_repository_and_tag(string image, string registry, string repository, string tagOrDigest)
    {
        var reference = ImageReference.Parse(image);

        Assert.Equal((registry, repository, tagOrDigest), (reference.Registry, reference.Repository, reference.TagOrDigest));
    }
}
