using System.Formats.Tar;
using System.IO.Compression;

namespace ControlPlane.Orchestration.Training;

/// <summary>
/// model.tar.gz and output.tar.gz: directories' contents as one gzip-compressed tar, paths relative to each directory.
/// Several directories (the hosts of a multi-instance job) are merged; on a name clash the earlier directory wins.
/// </summary>
internal static class TarGz
{
    public static async Task PackAsync(IReadOnlyList<string> directories, string archivePath, CancellationToken cancellationToken)
    {
        await using var file = File.Create(archivePath);
        await using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        var entries = 0;
        await using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            var written = new HashSet<string>(StringComparer.Ordinal);
            foreach (var directory in directories.Where(Directory.Exists))
            {
                entries += await WriteEntriesAsync(tar, directory, written, cancellationToken);
            }
        }

        if (entries == 0)
        {
            // TarWriter writes no end-of-archive records for an empty archive, which leaves no valid tar (and
            // GZipStream no gzip header): an empty directory is two zero records, as tar(1) writes it.
            await gzip.WriteAsync(new byte[2 * 512], cancellationToken);
        }
    }

    private static async Task<int> WriteEntriesAsync(TarWriter tar, string directory, HashSet<string> written, CancellationToken cancellationToken)
    {
        var entries = 0;
        // Links are neither packed nor recursed into: a container could point one at a host file or directory outside
        // its job directory (`ln -s /etc model/etc`), which the control plane, packing on the host, would follow.
        var everythingButLinks = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint };
        foreach (var path in Directory.EnumerateFileSystemEntries(directory, "*", everythingButLinks).Order(StringComparer.Ordinal))
        {
            var name = Path.GetRelativePath(directory, path).Replace('\\', '/');
            if (!written.Add(name))
            {
                continue;
            }

            await tar.WriteEntryAsync(path, name, cancellationToken);
            entries++;
        }

        return entries;
    }
}
