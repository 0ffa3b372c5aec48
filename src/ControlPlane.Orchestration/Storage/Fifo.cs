using System.Runtime.InteropServices;

namespace ControlPlane.Orchestration.Storage;

/// <summary>
/// Named pipes (FIFOs) for Pipe-mode channels. .NET has no mkfifo, and opening a FIFO for writing blocks until a
/// reader opens it, uncancellably; so the writer first probes with a non-blocking open(2), which fails with ENXIO
/// while there is no reader, and opens for real only once there is one.
/// </summary>
internal static partial class Fifo
{
    private const int WriteOnly = 0x1;
    private const int NonBlocking = 0x800;
    private const int NoSuchDeviceOrAddress = 6;
    private const int AlreadyExists = 17;

    /// <summary>Creates the FIFO (mode 0666 less the umask; a FIFO already there is kept).</summary>
    public static void Create(string path)
    {
        if (MakeFifo(path, Convert.ToUInt32("666", 8)) != 0 && Marshal.GetLastPInvokeError() is var error && error != AlreadyExists)
        {
            throw new IOException($"mkfifo {path} failed: {Marshal.GetPInvokeErrorMessage(error)}");
        }
    }

    /// <summary>Waits until a reader has the FIFO open (checking every <paramref name="pollInterval"/>), then opens it for writing.</summary>
    public static async Task<FileStream> OpenForWritingAsync(string path, TimeSpan pollInterval, CancellationToken cancellationToken)
    {
        while (true)
        {
            var probe = Open(path, WriteOnly | NonBlocking);
            if (probe >= 0)
            {
                try
                {
                    // A reader is there, so this open does not block; the probe keeps the pipe from closing meanwhile.
                    return new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
                }
                finally
                {
                    _ = Close(probe);
                }
            }

            var error = Marshal.GetLastPInvokeError();
            if (error != NoSuchDeviceOrAddress)
            {
                throw new IOException($"Opening the FIFO {path} failed: {Marshal.GetPInvokeErrorMessage(error)}");
            }

            await Task.Delay(pollInterval, cancellationToken);
        }
    }

    [LibraryImport("libc", EntryPoint = "mkfifo", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MakeFifo(string path, uint mode);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
