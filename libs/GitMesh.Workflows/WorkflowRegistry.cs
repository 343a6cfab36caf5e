using System.Reflection;

namespace GitMesh.Workflows;

/// <summary>A workflow class known to this process, under its type name.</summary>
public sealed class WorkflowRegistration
{
    private readonly Func<object, WorkflowContext, string, Task<string?>> _invoke;

    private WorkflowRegistration(string name, Type workflowType, Type inputType, Type? outputType, Func<object, WorkflowContext, string, Task<string?>> invoke)
    {
        Name = name;
        WorkflowType = workflowType;
        InputType = inputType;
        OutputType = outputType;
        _invoke = invoke;
    }

    public string Name { get; }
    public Type WorkflowType { get; }
    public Type InputType { get; }
    public Type? OutputType { get; }

    /// <summary>Runs the workflow code; returns the output as JSON (null without output).</summary>
    internal Task<string?> InvokeAsync(object instance, WorkflowContext context, string inputJson) => _invoke(instance, context, inputJson);

    public static WorkflowRegistration Create(Type workflowType, string? name = null)
    {
        name ??= WorkflowNames.Of(workflowType);
        foreach (var iface in workflowType.GetInterfaces().Where(i => i.IsGenericType))
        {
            var definition = iface.GetGenericTypeDefinition();
            var args = iface.GetGenericArguments();
            if (definition == typeof(IWorkflow<,>))
            {
                var method = typeof(WorkflowRegistration).GetMethod(nameof(InvokeWithOutputAsync), BindingFlags.NonPublic | BindingFlags.Static)!
                    .MakeGenericMethod(args[0], args[1]);
                return new WorkflowRegistration(name, workflowType, args[0], args[1],
                    (w, c, j) => (Task<string?>)method.Invoke(null, [w, c, j])!);
            }

            if (definition == typeof(IWorkflow<>))
            {
                var method = typeof(WorkflowRegistration).GetMethod(nameof(InvokeWithoutOutputAsync), BindingFlags.NonPublic | BindingFlags.Static)!
                    .MakeGenericMethod(args[0]);
                return new WorkflowRegistration(name, workflowType, args[0], null,
                    (w, c, j) => (Task<string?>)method.Invoke(null, [w, c, j])!);
            }
        }

        throw new ArgumentException($"{workflowType.Name} implements neither IWorkflow<TInput> nor IWorkflow<TInput, TOutput>.", nameof(workflowType));
    }

    private static async Task<string?> InvokeWithOutputAsync<TInput, TOutput>(object workflow, WorkflowContext context, string inputJson)
    {
        var output = await ((IWorkflow<TInput, TOutput>)workflow).RunAsync(context, WorkflowJson.Deserialize<TInput>(inputJson));
        return WorkflowJson.Serialize(output);
    }

    private static async Task<string?> InvokeWithoutOutputAsync<TInput>(object workflow, WorkflowContext context, string inputJson)
    {
        await ((IWorkflow<TInput>)workflow).RunAsync(context, WorkflowJson.Deserialize<TInput>(inputJson));
        return null;
    }
}

/// <summary>All registered workflows by type name.</summary>
public sealed class WorkflowRegistry
{
    private readonly Dictionary<string, WorkflowRegistration> _byName;

    public WorkflowRegistry(IEnumerable<WorkflowRegistration> registrations)
    {
        _byName = new Dictionary<string, WorkflowRegistration>(StringComparer.Ordinal);
        foreach (var registration in registrations)
        {
            if (_byName.TryGetValue(registration.Name, out var existing) && existing.WorkflowType != registration.WorkflowType)
            {
                throw new InvalidOperationException($"Two workflows are registered as '{registration.Name}': {existing.WorkflowType} and {registration.WorkflowType}.");
            }

            _byName[registration.Name] = registration;
        }
    }

    public IReadOnlyCollection<string> Names => _byName.Keys;

    public WorkflowRegistration? Find(string name) => _byName.GetValueOrDefault(name);
}
