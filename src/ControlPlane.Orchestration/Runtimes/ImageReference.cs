namespace ControlPlane.Orchestration.Runtimes;

/// <summary>An image reference split the way the engine's pull API wants it.</summary>
/// <param name="Registry">The registry host (with port), <c>docker.io</c> when the reference names none.</param>
/// <param name="Repository">The reference without tag or digest, including the registry host when it had one.</param>
/// <param name="Tag">The tag, if any.</param>
/// <param name="Digest">The digest (<c>sha256:...</c>), if any.</param>
internal sealed record ImageReference(string Registry, string Repository, string? Tag, string? Digest)
{
    public const string DefaultRegistry = "docker.io";

    /// <summary>What to pull: without it the engine would pull every tag of the repository.</summary>
    public string TagOrDigest => Digest ?? Tag ?? "latest";

    public static ImageReference Parse(string image)
    {
        var rest = image.Trim();
        string? digest = null;
        var at = rest.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            digest = rest[(at + 1)..];
            rest = rest[..at];
        }

        string? tag = null;
        var colon = rest.LastIndexOf(':');
        if (colon > rest.LastIndexOf('/'))
        {
            tag = rest[(colon + 1)..];
            rest = rest[..colon];
        }

        // Docker's rule: the first path component is a registry when it looks like a host (has a dot or a port, or is localhost).
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var first = slash > 0 ? rest[..slash] : null;
        var registry = first is not null && (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost")
            ? first
            : DefaultRegistry;
        return new ImageReference(registry, rest, tag, digest);
    }
}
