namespace ControlPlane.Algorithms.Data;

/// <summary>
/// Where one channel's bytes come from. A pass reads the whole channel once: in File mode every file under
/// <c>/opt/ml/input/data/&lt;channel&gt;</c> (recursively, in ordinal order of their relative paths, hidden files
/// skipped); in Pipe mode the next FIFO <c>/opt/ml/input/data/&lt;channel&gt;_&lt;epoch&gt;</c>, which can be read only once.
/// </summary>
internal abstract class ChannelSource(string channel, DataFormat format, RecordLayout layout)
{
    public string Channel { get; } = channel;

    public DataFormat Format { get; } = format;

    public RecordLayout Layout { get; } = layout;

    /// <summary>A FIFO is consumed by reading it: a pass that stops early must still read it to the end.</summary>
    public abstract bool IsPipe { get; }

    /// <summary>The streams of one pass, each with the name messages use for it.</summary>
    public abstract IEnumerable<(string Name, Stream Stream)> OpenPass();

    /// <summary>All records of one pass, the same <see cref="FeatureRecord"/> instance refilled each time.</summary>
    public IEnumerable<FeatureRecord> Records()
    {
        var record = new FeatureRecord();
        foreach (var (name, stream) in OpenPass())
        {
            using var reader = RecordReaders.Open(Format, stream, name, Layout);
            while (reader.Read(record))
            {
                yield return record;
            }
        }
    }
}

internal sealed class FileChannelSource : ChannelSource
{
    private readonly string _directory;
    private readonly List<string> _files;

    public FileChannelSource(string channel, string directory, DataFormat format, RecordLayout layout)
        : base(channel, format, layout)
    {
        _directory = directory;
        if (!Directory.Exists(directory))
        {
            throw new AlgorithmException($"Channel '{channel}': the directory {directory} does not exist.");
        }

        _files = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(directory, path))
            .Where(relative => !relative.Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.')))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (_files.Count == 0)
        {
            throw new AlgorithmException($"Channel '{channel}' has no data files.");
        }
    }

    public override bool IsPipe => false;

    public override IEnumerable<(string Name, Stream Stream)> OpenPass() =>
        _files.Select(relative => ($"{Channel}/{relative}", (Stream)new FileStream(Path.Combine(_directory, relative), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan)));
}

internal sealed class PipeChannelSource(string channel, string directory, DataFormat format, RecordLayout layout) : ChannelSource(channel, format, layout)
{
    private int _epoch;

    public override bool IsPipe => true;

    public override IEnumerable<(string Name, Stream Stream)> OpenPass()
    {
        var fifo = $"{directory}_{_epoch++}";
        if (!File.Exists(fifo))
        {
            throw new AlgorithmException($"Channel '{Channel}' is in Pipe mode but {fifo} does not exist.");
        }

        // Opening a FIFO blocks until the writer opens its end; the read ends when the writer closes it.
        yield return (Path.GetFileName(fifo), new FileStream(fifo, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16));
    }
}
