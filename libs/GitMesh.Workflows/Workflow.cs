namespace GitMesh.Workflows;

/// <summary>Marker for workflow classes; implement <see cref="IWorkflow{TInput}"/> or <see cref="IWorkflow{TInput,TOutput}"/>.</summary>
/// <remarks>
/// A workflow is replayed from the top every time it resumes (after a timer, a signal, a backoff or a crash); completed
/// steps return their persisted results without running again. So the code between steps must be deterministic: take
/// time, randomness and I/O only inside steps, keep step names unique within a run, and never swallow exceptions thrown
/// by <see cref="WorkflowContext"/> (catch specific exceptions such as <see cref="WorkflowStepFailedException"/>).
/// </remarks>
public interface IWorkflow;

/// <summary>A workflow with typed input and no output.</summary>
public interface IWorkflow<in TInput> : IWorkflow
{
    Task RunAsync(WorkflowContext context, TInput input);
}

/// <summary>A workflow with typed input and a JSON-serializable output (kept on the run, returned to parents).</summary>
public interface IWorkflow<in TInput, TOutput> : IWorkflow
{
    Task<TOutput> RunAsync(WorkflowContext context, TInput input);
}

/// <summary>Overrides the registered type name (default: the class name). Renaming a class without it orphans its runs.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class WorkflowNameAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

public static class WorkflowNames
{
    public static string Of<TWorkflow>()
        where TWorkflow : IWorkflow => Of(typeof(TWorkflow));

    public static string Of(Type workflowType) =>
        workflowType.GetCustomAttributes(typeof(WorkflowNameAttribute), false).OfType<WorkflowNameAttribute>().FirstOrDefault()?.Name
        ?? workflowType.Name;
}
