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
        await using var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: false);
        foreach (var path in Directory.EnumerateFileSystemEntries(directory, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }).Order(StringComparer.Ordinal))
        {
            var info = new FileInfo(path);
            // Links are not followed: a container could point one at a host file outside its job directory.
            if (info.LinkTarget is not null)
            {
                continue;
            }

            await tar.WriteEntryAsync(path, Path.GetRelativePath(directory, path).Replace('\\', '/'), cancellationToken);
        }
    }
}
