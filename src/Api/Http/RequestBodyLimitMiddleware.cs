using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace GitMesh.Api.Http;

/// <summary>
/// Enforces Api:MaxRequestBodyBytes on every server (Kestrel enforces its feature; in-memory test servers do not),
/// rejecting declared oversize bodies before reading them.
/// </summary>
internal sealed class RequestBodyLimitMiddleware(RequestDelegate next, IOptions<ApiOptions> options)
{
    public Task InvokeAsync(HttpContext context)
    {
        var limit = options.Value.MaxRequestBodyBytes;
        var feature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false })
        {
            feature.MaxRequestBodySize = limit;
        }

        if (context.Request.ContentLength > limit)
        {
            throw new BadHttpRequestException(
                $"The request body is {context.Request.ContentLength} bytes; the limit is {limit} bytes (Api:MaxRequestBodyBytes).",
                StatusCodes.Status413PayloadTooLarge);
        }

        if (context.Request.ContentLength is null && context.Request.Body.CanRead)
        {
            context.Request.Body = new LimitedReadStream(context.Request.Body, limit);
        }

        return next(context);
    }

    private sealed class LimitedReadStream(Stream inner, long limit) : Stream
    {
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int Count(int n)
        {
            _read += n;
            if (_read > limit)
            {
                throw new BadHttpRequestException($"The request body exceeds the limit of {limit} bytes (Api:MaxRequestBodyBytes).", StatusCodes.Status413PayloadTooLarge);
            }

            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
