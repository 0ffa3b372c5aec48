namespace ControlPlane.Orchestration.Storage;

/// <summary>Writes a file whole or not at all: into a temporary file first, renamed over the target when complete.</summary>
internal static class AtomicFile
{
    /// <summary>Keeps the partial file in <paramref name="temporaryDirectory"/>, which must be on the target's file system for the rename to be atomic.</summary>
    public static async Task WriteAsync(string path, Stream content, string temporaryDirectory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(temporaryDirectory);
        var temporary = Path.Combine(temporaryDirectory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.partial");
        try
        {
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                await content.CopyToAsync(file, cancellationToken);
            }

            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Writes next to the target.</summary>
    public static Task WriteAsync(string path, Stream content, CancellationToken cancellationToken) =>
        WriteAsync(path, content, Path.GetDirectoryName(Path.GetFullPath(path))!, cancellationToken);
}
