namespace ControlPlane.Orchestration.Storage;

internal static class FileTree
{
    // Hidden files are data too; symbolic links are not followed (SageMaker uploads outputs the same way).
    private static readonly EnumerationOptions AllFilesNoLinks = new()
    {
        RecurseSubdirectories = true,
        AttributesToSkip = FileAttributes.ReparsePoint,
    };

    /// <summary>Every regular file under <paramref name="directory"/>, with its path relative to it, '/'-separated.</summary>
    public static IEnumerable<(FileInfo File, string RelativePath)> Files(string directory) =>
        new DirectoryInfo(directory).EnumerateFiles("*", AllFilesNoLinks)
            .Select(file => (file, Path.GetRelativePath(directory, file.FullName).Replace(Path.DirectorySeparatorChar, '/')));
}
