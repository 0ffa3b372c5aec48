namespace ControlPlane.Orchestration.Runtimes;

/// <summary>
/// The id of one control plane: a GUID kept in <c>instance-id</c> in its data directory, made at the first start. The
/// processes of one deployment share the data directory and so the id; another control plane on the same Docker engine
/// has another.
/// </summary>
internal static class InstanceIdentity
{
    public static string Of(string dataDirectory)
    {
        var directory = Path.GetFullPath(dataDirectory);
        var path = Path.Combine(directory, "instance-id");
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }

        // Written aside and moved into place without overwriting: of two processes starting on a new data directory,
        // the second reads the first's id rather than a half-written file.
        Directory.CreateDirectory(directory);
        var candidate = Path.Combine(directory, $"instance-id.{Guid.NewGuid():N}");
        File.WriteAllText(candidate, Guid.NewGuid().ToString("N"));
        try
        {
            File.Move(candidate, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(candidate);
        }

        return File.ReadAllText(path).Trim();
    }
}
