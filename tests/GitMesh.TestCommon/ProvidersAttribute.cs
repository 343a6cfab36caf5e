using System.Reflection;
using GitMesh.Data;
using Xunit.Sdk;

namespace GitMesh.TestCommon;

/// <summary>Runs a theory once on SQLite and once on PostgreSQL.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ProvidersAttribute : DataAttribute
{
    public override IEnumerable<object[]> GetData(MethodInfo testMethod)
    {
        yield return [DatabaseProvider.Sqlite];
        yield return [DatabaseProvider.Postgres];
    }
}
