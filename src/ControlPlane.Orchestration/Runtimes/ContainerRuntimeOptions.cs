using System.Text;
using Microsoft.Extensions.Configuration;

namespace ControlPlane.Orchestration.Runtimes;

/// <summary>Which runtime to use.</summary>
public enum RuntimeKind
{
    /// <summary>Docker when an engine answers at start-up, else Process.</summary>
    Auto,
    Docker,
    Process,
}

/// <summary>Credentials for one registry host.</summary>
internal sealed record RegistryCredentials(string Username, string Password);

/// <summary>
/// The <c>ControlPlane:Containers</c> section. Registry hosts and image references contain colons, which are also the
/// configuration path separator, so the two maps are read by flattening their sections rather than by binding.
/// </summary>
internal sealed record ContainerRuntimeOptions
{
    public const string SectionName = "ControlPlane:Containers";

    /// <summary><c>Runtime</c>: auto (default), docker or process.</summary>
    public RuntimeKind Runtime { get; init; } = RuntimeKind.Auto;

    /// <summary><c>DockerEndpoint</c>: the engine API (unix socket or tcp).</summary>
    public Uri DockerEndpoint { get; init; } = new("unix:///var/run/docker.sock");

    /// <summary><c>DockerPingTimeoutSeconds</c>: how long <c>auto</c> waits for the engine before choosing Process.</summary>
    public TimeSpan DockerPingTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// <c>ImageRefreshSeconds</c>: how long an image the engine pulled stays trusted. Within it, a job whose image is
    /// still on the engine with the same id starts without asking the registry; after it, the next job pulls again, so
    /// a tag moved in the registry is picked up at most this long after the last pull. 0 pulls for every job.
    /// </summary>
    public TimeSpan ImageRefreshInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// <c>SandboxPoolSize</c>: Docker: how many network sandboxes (see <see cref="NetworkSandboxPool"/>) are kept
    /// started for single-instance jobs; 0 turns the pool off.
    /// </summary>
    public int SandboxPoolSize { get; init; } = 2;

    /// <summary>
    /// <c>SandboxImage</c>: the image the network sandboxes run <c>sleep infinity</c> from; it must be on the engine
    /// already (it is not pulled). The default is the base image deploy/setup.sh builds on the engine.
    /// </summary>
    public string SandboxImage { get; init; } = "controlplane/base:bookworm";

    /// <summary>
    /// This control plane's <see cref="InstanceIdentity"/>, labelled on every container and network made on Docker; not
    /// configuration (read from the data directory). Null only for a runtime used on its own, outside a control plane.
    /// </summary>
    public string? InstanceId { get; init; }

    /// <summary><c>Registries:&lt;host&gt;:Username</c> and <c>:Password</c>, by registry host (with port).</summary>
    public IReadOnlyDictionary<string, RegistryCredentials> Registries { get; init; } = new Dictionary<string, RegistryCredentials>();

    /// <summary><c>ProcessImages:&lt;image&gt;</c>: the command line that stands in for the image on the Process runtime, split into words.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> ProcessImages { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    public static ContainerRuntimeOptions FromConfiguration(IConfiguration configuration)
    {
        var section = configuration.GetSection(SectionName);
        var options = new ContainerRuntimeOptions();

        if (section["Runtime"] is { Length: > 0 } runtime)
        {
            options = options with
            {
                Runtime = Enum.TryParse<RuntimeKind>(runtime, ignoreCase: true, out var kind) && Enum.IsDefined(kind)
                    ? kind
                    : throw new ContainerRuntimeException($"{SectionName}:Runtime must be auto, docker or process, not '{runtime}'."),
            };
        }

        if (section["DockerEndpoint"] is { Length: > 0 } endpoint)
        {
            options = options with
            {
                DockerEndpoint = Uri.TryCreate(endpoint, UriKind.Absolute, out var uri)
                    ? uri
                    : throw new ContainerRuntimeException($"{SectionName}:DockerEndpoint '{endpoint}' is not an absolute URI (unix:///var/run/docker.sock, tcp://host:2375)."),
            };
        }

        if (section["DockerPingTimeoutSeconds"] is { Length: > 0 } ping)
        {
            options = options with
            {
                DockerPingTimeout = double.TryParse(ping, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0
                    ? TimeSpan.FromSeconds(seconds)
                    : throw new ContainerRuntimeException($"{SectionName}:DockerPingTimeoutSeconds must be a positive number, not '{ping}'."),
            };
        }

        if (section["ImageRefreshSeconds"] is { Length: > 0 } refresh)
        {
            options = options with
            {
                ImageRefreshInterval = double.TryParse(refresh, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds >= 0
                    ? TimeSpan.FromSeconds(seconds)
                    : throw new ContainerRuntimeException($"{SectionName}:ImageRefreshSeconds must be a number of seconds, 0 or more, not '{refresh}'."),
            };
        }

        if (section["SandboxPoolSize"] is { Length: > 0 } poolSize)
        {
            options = options with
            {
                SandboxPoolSize = int.TryParse(poolSize, System.Globalization.CultureInfo.InvariantCulture, out var size) && size >= 0
                    ? size
                    : throw new ContainerRuntimeException($"{SectionName}:SandboxPoolSize must be a whole number, 0 or more, not '{poolSize}'."),
            };
        }

        if (section["SandboxImage"] is { Length: > 0 } sandboxImage)
        {
            options = options with { SandboxImage = sandboxImage };
        }

        return options with { Registries = ReadRegistries(section.GetSection("Registries")), ProcessImages = BuiltInAlgorithms.BuiltInAlgorithmContainer.WithAlgorithmsProgram(ReadProcessImages(section.GetSection("ProcessImages")), configuration) };
    }

    /// <summary>The command for an image: the exact reference first, then the reference without its tag (one entry for every tag).</summary>
    public IReadOnlyList<string>? ProcessCommandFor(string image)
    {
        if (ProcessImages.TryGetValue(image, out var command))
        {
            return command;
        }

        var reference = ImageReference.Parse(image);
        return ProcessImages.TryGetValue(reference.Repository, out command) ? command : null;
    }

    private static Dictionary<string, RegistryCredentials> ReadRegistries(IConfigurationSection section)
    {
        var fields = new Dictionary<string, (string? User, string? Password)>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in section.AsEnumerable(makePathsRelative: true))
        {
            var colon = key.LastIndexOf(':');
            if (value is null || colon <= 0)
            {
                continue;
            }

            var host = key[..colon];
            var field = key[(colon + 1)..];
            var current = fields.GetValueOrDefault(host);
            if (field.Equals("Username", StringComparison.OrdinalIgnoreCase))
            {
                fields[host] = current with { User = value };
            }
            else if (field.Equals("Password", StringComparison.OrdinalIgnoreCase))
            {
                fields[host] = current with { Password = value };
            }
        }

        var registries = new Dictionary<string, RegistryCredentials>(StringComparer.OrdinalIgnoreCase);
        foreach (var (host, (user, password)) in fields)
        {
            if (string.IsNullOrEmpty(user) || password is null)
            {
                throw new ContainerRuntimeException($"{SectionName}:Registries:{host} needs both Username and Password.");
            }

            registries[host] = new RegistryCredentials(user, password);
        }

        return registries;
    }

    private static Dictionary<string, IReadOnlyList<string>> ReadProcessImages(IConfigurationSection section)
    {
        var images = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (image, value) in section.AsEnumerable(makePathsRelative: true))
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                continue;
            }

            images[image] = SplitCommandLine(value) is { Count: > 0 } words
                ? words
                : throw new ContainerRuntimeException($"{SectionName}:ProcessImages:{image} is not a command line: {value}");
        }

        return images;
    }

    /// <summary>
    /// Splits a command line into words the way a POSIX shell would for the simple cases: blanks separate words,
    /// single quotes are literal, double quotes group and allow <c>\"</c> and <c>\\</c>. No expansion of any kind.
    /// </summary>
    internal static IReadOnlyList<string> SplitCommandLine(string commandLine)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < commandLine.Length; i++)
        {
            var c = commandLine[i];
            switch (c)
            {
                case ' ' or '\t' or '\n' or '\r':
                    if (inWord)
                    {
                        words.Add(word.ToString());
                        word.Clear();
                        inWord = false;
                    }

                    break;
                case '\'':
                    inWord = true;
                    var close = commandLine.IndexOf('\'', i + 1);
                    if (close < 0)
                    {
                        throw new ContainerRuntimeException($"Unclosed single quote in command line: {commandLine}");
                    }

                    word.Append(commandLine, i + 1, close - i - 1);
                    i = close;
                    break;
                case '"':
                    inWord = true;
                    for (i++; ; i++)
                    {
                        if (i >= commandLine.Length)
                        {
                            throw new ContainerRuntimeException($"Unclosed double quote in command line: {commandLine}");
                        }

                        if (commandLine[i] == '"')
                        {
                            break;
                        }

                        if (commandLine[i] == '\\' && i + 1 < commandLine.Length && commandLine[i + 1] is '"' or '\\')
                        {
                            i++;
                        }

                        word.Append(commandLine[i]);
                    }

                    break;
                case '\\' when i + 1 < commandLine.Length:
                    inWord = true;
                    word.Append(commandLine[++i]);
                    break;
                default:
                    inWord = true;
                    word.Append(c);
                    break;
            }
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return words;
    }
}
