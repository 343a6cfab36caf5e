using System.Reflection;
using System.Xml.Linq;

namespace GitMesh.Architecture.Tests;

/// <summary>
/// Dependencies point inward (STYLE.md): the domain and the algorithms know no EF, no HTTP and no infrastructure
/// library; hosts stay thin. Checked on project references (what can be referenced) and on the compiled assemblies
/// (what is referenced).
/// </summary>
public sealed class DependencyRulesTests
{
    private static readonly string Root = FindRoot();

    [Theory]
    [InlineData("GitMesh.Domain")]
    [InlineData("GitMesh.Intelligence")]
    public void Pure_libraries_reference_no_infrastructure(string project)
    {
        var assembly = Assembly.Load(project);
        var forbidden = assembly.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(n => n.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal)
                || n.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)
                || n.StartsWith("Npgsql", StringComparison.Ordinal)
                || n.StartsWith("System.Net.Http", StringComparison.Ordinal)
                || (n.StartsWith("GitMesh.", StringComparison.Ordinal) && n != "GitMesh.Domain"))
            .ToList();
        forbidden.ShouldBeEmpty($"{project} must stay free of infrastructure");
    }

    [Fact]
    public void Libraries_never_reference_hosts_or_tests()
    {
        foreach (var csproj in Directory.GetFiles(Path.Combine(Root, "libs"), "*.csproj", SearchOption.AllDirectories))
        {
            var references = ProjectReferences(csproj);
            references.ShouldNotContain(r => r.Contains("/src/", StringComparison.Ordinal) || r.Contains("/tests/", StringComparison.Ordinal) || r.Contains("/bench/", StringComparison.Ordinal),
                $"{Path.GetFileName(csproj)} references a host, test or bench project");
        }
    }

    [Fact]
    public void Connector_libraries_do_not_depend_on_the_data_layer_or_each_other()
    {
        foreach (var csproj in Directory.GetFiles(Path.Combine(Root, "libs"), "GitMesh.Connectors.*.csproj", SearchOption.AllDirectories))
        {
            var self = Path.GetFileNameWithoutExtension(csproj);
            var references = ProjectReferences(csproj).Select(Path.GetFileNameWithoutExtension).ToList();
            references.ShouldNotContain("GitMesh.Data", $"{self}: connectors emit envelopes; persistence is the pipeline's job");
            references.Where(r => r!.StartsWith("GitMesh.Connectors.", StringComparison.Ordinal)).ShouldBeEmpty($"{self} must not depend on another connector");
        }
    }

    [Fact]
    public void Domain_entities_of_tenants_carry_their_workspace()
    {
        var domain = Assembly.Load("GitMesh.Domain");
        var tenantOwned = domain.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false } && t.GetProperty("WorkspaceId")?.PropertyType == typeof(Guid));
        foreach (var type in tenantOwned)
        {
            typeof(GitMesh.Domain.IWorkspaceOwned).IsAssignableFrom(type).ShouldBeTrue($"{type.Name} has a WorkspaceId but is not IWorkspaceOwned, so the workspace filter would not apply");
        }
    }

    private static List<string> ProjectReferences(string csproj) =>
        XDocument.Load(csproj).Descendants("ProjectReference")
            .Select(e => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(csproj)!, e.Attribute("Include")!.Value)).Replace('\\', '/'))
            .ToList();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GitMesh.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("GitMesh.sln not found.");
    }
}
