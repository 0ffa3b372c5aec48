using System.Text.RegularExpressions;
using ControlPlane.Core.Errors;

namespace ControlPlane.Orchestration.Runtimes;

/// <summary>
/// Checks every runtime applies before it starts anything. The one that matters most: a user's container must never
/// see the Docker socket, because whoever holds it is root on the host. A bind of the socket itself or of any directory
/// above it (<c>/var/run</c>, <c>/run</c>, <c>/</c>) is refused, with symbolic links resolved on both sides.
/// </summary>
internal static partial class ContainerSpecGuard
{
    private static readonly string[] WellKnownSockets = ["/var/run/docker.sock", "/run/docker.sock"];

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$")]
    private static partial Regex ContainerName();

    /// <summary>Null when the spec may run; otherwise the reason it may not.</summary>
    /// <param name="spec">The spec to check.</param>
    /// <param name="dockerEndpoint">The configured engine endpoint, whose socket is protected as well.</param>
    public static ApiError? Check(ContainerSpec spec, Uri? dockerEndpoint)
    {
        if (!ContainerName().IsMatch(spec.Name))
        {
            return ApiError.Validation($"Container name '{spec.Name}' must be 1-128 letters, digits, '_', '.' or '-', starting with a letter or digit.");
        }

        if (string.IsNullOrWhiteSpace(spec.Image))
        {
            return ApiError.Validation($"Container {spec.Name} has no image.");
        }

        var sockets = WellKnownSockets.AsEnumerable();
        if (dockerEndpoint is { Scheme: "unix" })
        {
            sockets = sockets.Append(dockerEndpoint.LocalPath);
        }

        var protectedPaths = sockets.Select(RealPath).Distinct(StringComparer.Ordinal).ToList();
        foreach (var mount in spec.Mounts)
        {
            if (string.IsNullOrWhiteSpace(mount.HostPath) || !mount.ContainerPath.StartsWith('/'))
            {
                return ApiError.Validation($"Mount '{mount.HostPath}' -> '{mount.ContainerPath}' needs a host path and an absolute container path.");
            }

            var source = RealPath(mount.HostPath);
            foreach (var socket in protectedPaths)
            {
                if (source == "/" || socket == source || socket.StartsWith(source + "/", StringComparison.Ordinal))
                {
                    return ApiError.Validation($"Refusing to mount {mount.HostPath} into container {spec.Name}: it would expose the Docker socket {socket}.");
                }
            }
        }

        foreach (var port in spec.Ports)
        {
            if (port.ContainerPort is < 1 or > 65535 || port.HostPort is < 0 or > 65535)
            {
                return ApiError.Validation($"Port binding {port.ContainerPort} -> {port.HostPort} is out of range.");
            }
        }

        if (spec.Limits.Cpus <= 0 || spec.Limits.MemoryBytes <= 0)
        {
            return ApiError.Validation($"Container {spec.Name} needs positive CPU and memory limits, not {spec.Limits}.");
        }

        return null;
    }

    /// <summary>The absolute path with every symbolic link along it resolved (like realpath(3), but missing parts are kept as they are).</summary>
    internal static string RealPath(string path)
    {
        var pending = new Queue<string>(Path.GetFullPath(path).Split('/', StringSplitOptions.RemoveEmptyEntries));
        var current = "/";
        for (var hops = 0; pending.TryDequeue(out var part);)
        {
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? "/";
                continue;
            }

            var next = Path.Join(current, part);
            if (new FileInfo(next).LinkTarget is { } target && hops++ < 40)
            {
                var rest = pending.ToArray();
                pending = new Queue<string>(target.Split('/', StringSplitOptions.RemoveEmptyEntries).Concat(rest));
                current = target.StartsWith('/') ? "/" : current;
                continue;
            }

            current = next;
        }

        return current;
    }
}
