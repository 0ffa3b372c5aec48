using System.Reflection;

namespace ControlPlane.Api.Tests.Infrastructure;

/// <summary>Where the repository and the service's build output are, seen from the test assembly.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string BuildConfiguration { get; } = typeof(RepositoryPaths).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == "BuildConfiguration").Value!;

    public static string ServiceAssembly => Path.Combine(Root, "src", "ControlPlane.Api", "bin", BuildConfiguration, "net10.0", "ControlPlane.Api.dll");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ControlPlane.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The tests must run inside the repository.");
    }
}
