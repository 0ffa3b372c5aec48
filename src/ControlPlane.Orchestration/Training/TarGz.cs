using System.Formats.Tar;
using System.IO.Compression;

namespace ControlPlane.Orchestration.Training;

/// <summary>model.tar.gz and output.tar.gz: a directory's contents as a gzip-compressed tar, paths relative to it.</summary>
internal static class TarGz
{
    public static async Task PackAsync(string directory, string archivePath, CancellationToken cancellationToken)
    {
        await using var file = File.Create(archivePath);
        await using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        var entries = 0;
        await using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            entries = await WriteEntriesAsync(tar, directory, cancellationToken);
        }

        if (entries == 0)
        {
            // TarWriter writes no end-of-archive records for an empty archive, which leaves no valid tar (and
            // GZipStream no gzip header): an empty directory is two zero records, as tar(1) writes it.
            await gzip.WriteAsync(new byte[2 * 512], cancellationToken);
        }
    }

    private static async Task<int> WriteEntriesAsync(TarWriter tar, string directory, CancellationToken cancellationToken)
    {
        var entries = 0;
        // Links are neither packed nor recursed into: a container could point one at a host file or directory outside
        // its job directory (`ln -s /etc model/etc`), which the control plane, packing on the host, would follow.
        var everythingButLinks = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint };
        foreach (var path in Directory.EnumerateFileSystemEntries(directory, "*", everythingButLinks).Order(StringComparer.Ordinal))
        {
            await tar.WriteEntryAsync(path, Path.GetRelativePath(directory, path).Replace('\\', '/'), cancellationToken);
            entries++;
        }

        return entries;
    }
}
