using System.Formats.Tar;
using System.IO.Compression;
using ControlPlane.Orchestration.Training;

namespace ControlPlane.Orchestration.Tests.Training;

/// <summary>
/// model.tar.gz is packed from a directory the job's container wrote: links it left there (to files or directories
/// outside, or inside) must not carry host files into the archive, and every entry stays relative to the directory.
/// </summary>
public sealed class TarGzTests : IDisposable
{
    private readonly string _sandbox = Directory.CreateTempSubdirectory("targz-").FullName;

    public void Dispose() => Directory.Delete(_sandbox, recursive: true);

    [Fact]
    public async Task Symbolic_links_to_files_and_directories_outside_the_model_directory_are_not_packed_or_followed()
    {
        var model = Directory.CreateDirectory(Path.Combine(_sandbox, "model")).FullName;
        var outside = Directory.CreateDirectory(Path.Combine(_sandbox, "host")).FullName;
        await File.WriteAllTextAsync(Path.Combine(outside, "secret.txt"), "host secret");
        await File.WriteAllTextAsync(Path.Combine(model, "weights.bin"), "weights");
        Directory.CreateDirectory(Path.Combine(model, "nested"));
        await File.WriteAllTextAsync(Path.Combine(model, "nested", "config.json"), "{}");
        File.CreateSymbolicLink(Path.Combine(model, "passwd"), "/etc/passwd");
        File.CreateSymbolicLink(Path.Combine(model, "secret.txt"), Path.Combine(outside, "secret.txt"));
        Directory.CreateSymbolicLink(Path.Combine(model, "host-dir"), outside);
        Directory.CreateSymbolicLink(Path.Combine(model, "etc"), "/etc");
        File.CreateSymbolicLink(Path.Combine(model, "inner-link"), Path.Combine(model, "weights.bin"));

        var archive = Path.Combine(_sandbox, "model.tar.gz");
        await TarGz.PackAsync([model], archive, CancellationToken.None);

        var entries = await ReadEntriesAsync(archive);
        Assert.Equal(["nested", "nested/config.json", "weights.bin"], entries.Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.All(entries, e => Assert.True(e.Type is TarEntryType.RegularFile or TarEntryType.Directory, $"{e.Name} is a {e.Type}"));
        Assert.DoesNotContain(entries, e => e.Content.Contains("host secret", StringComparison.Ordinal) || e.Content.Contains("root:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Entry_names_are_relative_to_the_model_directory_never_absolute_or_climbing()
    {
        var model = Directory.CreateDirectory(Path.Combine(_sandbox, "model")).FullName;
        Directory.CreateDirectory(Path.Combine(model, "a", "b"));
        await File.WriteAllTextAsync(Path.Combine(model, "a", "b", "..dots"), "x");
        await File.WriteAllTextAsync(Path.Combine(model, ".hidden"), "y");

        var archive = Path.Combine(_sandbox, "model.tar.gz");
        await TarGz.PackAsync([model], archive, CancellationToken.None);

        var names = (await ReadEntriesAsync(archive)).Select(e => e.Name).ToList();
        Assert.Equal([".hidden", "a", "a/b", "a/b/..dots"], names.Order(StringComparer.Ordinal));
        Assert.All(names, n => Assert.False(n.StartsWith('/') || n.Split('/').Contains(".."), n));
    }

    private static async Task<List<(string Name, TarEntryType Type, string Content)>> ReadEntriesAsync(string archive)
    {
        var entries = new List<(string, TarEntryType, string)>();
        await using var file = File.OpenRead(archive);
        await using var gzip = new GZipStream(file, CompressionMode.Decompress);
        await using var tar = new TarReader(gzip);
        while (await tar.GetNextEntryAsync() is { } entry)
        {
            var content = string.Empty;
            if (entry.DataStream is { } data)
            {
                using var reader = new StreamReader(data);
                content = await reader.ReadToEndAsync();
            }

            entries.Add((entry.Name.TrimEnd('/'), entry.EntryType, content));
        }

        return entries;
    }
}
