using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json.Nodes;
using ControlPlane.Core.Documents;
using ControlPlane.Core.Errors;
using ControlPlane.Orchestration.Storage;

namespace ControlPlane.Orchestration.Hosting;

/// <summary>
/// Puts a model's artifacts into the directory its containers see as /opt/ml/model (contract 5.2): ModelDataUrl's
/// model.tar.gz unpacked, or ModelDataSource's uncompressed S3 prefix copied. An archive entry that would land outside
/// the directory (absolute paths, <c>..</c>) fails the deployment; links and device files are not extracted.
/// </summary>
internal sealed class ModelArtifacts(IObjectStore store, DataStager stager)
{
    public async Task<Result<bool>> StageAsync(JsonObject container, string modelDirectory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(modelDirectory);
        if (container.GetString("ModelDataUrl") is { } url)
        {
            return await UnpackAsync(url, modelDirectory, cancellationToken);
        }

        if (container.GetObject("ModelDataSource")?.GetObject("S3DataSource") is not { } source)
        {
            return true;
        }

        var uri = source.GetString("S3Uri")!;
        if (source.GetString("CompressionType") == "Gzip")
        {
            return await UnpackAsync(uri, modelDirectory, cancellationToken);
        }

        var location = S3Location.Parse(uri);
        if (!location.Succeeded)
        {
            return DownloadFailed(uri, location.Error!.Message);
        }

        // S3Prefix and S3Object alike: every object under the key, copied as it is.
        var staged = await stager.StageAsync(new S3DataSource(location.Value!, S3DataType.S3Prefix, S3DataDistribution.FullyReplicated), modelDirectory, Shard.Single, cancellationToken);
        return staged.Succeeded ? true : DownloadFailed(uri, staged.Error!.Message);
    }

    private async Task<Result<bool>> UnpackAsync(string url, string modelDirectory, CancellationToken cancellationToken)
    {
        var location = S3Location.Parse(url);
        if (!location.Succeeded)
        {
            return DownloadFailed(url, location.Error!.Message);
        }

        var archive = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelDirectory))!, "model.tar.gz");
        try
        {
            if (!await store.DownloadToFileAsync(location.Value!, archive, cancellationToken))
            {
                return DownloadFailed(url, "there is no object at that URL");
            }

            return await ExtractAsync(archive, modelDirectory, cancellationToken);
        }
        catch (ObjectStoreException e)
        {
            return DownloadFailed(url, e.Message);
        }
        finally
        {
            File.Delete(archive);
        }
    }

    private static async Task<Result<bool>> ExtractAsync(string archive, string modelDirectory, CancellationToken cancellationToken)
    {
        var root = Path.GetFullPath(modelDirectory);
        try
        {
            await using var file = File.OpenRead(archive);
            await using var gzip = new GZipStream(file, CompressionMode.Decompress);
            await using var tar = new TarReader(gzip);
            while (await tar.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
            {
                var target = Path.GetFullPath(Path.Combine(root, entry.Name));
                if (Path.IsPathRooted(entry.Name) || (target != root && !target.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
                {
                    return ApiError.Validation($"The model archive entry \"{entry.Name}\" would be extracted outside /opt/ml/model.");
                }

                switch (entry.EntryType)
                {
                    case TarEntryType.Directory:
                        Directory.CreateDirectory(target);
                        break;
                    case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                        await entry.ExtractToFileAsync(target, overwrite: true, cancellationToken);
                        break;
                    default:
                        // Links could point at host files; devices and FIFOs have no place in a model.
                        break;
                }
            }

            return true;
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            return ApiError.Validation($"The model data is not a valid tar.gz archive: {e.Message}");
        }
    }

    private static ApiError DownloadFailed(string url, string why) =>
        ApiError.Validation($"Failed to download model data for container \"container_1\" from URL: \"{url}\" ({why}). Please ensure that there is an object located at the URL and that the role passed to CreateModel has permissions to download the object.");
}
