import { checkImage } from "../domain/archive/images";
import { AppError, validationFailed } from "../lib/errors";

/** Read the multipart form; the body limit middleware already refused oversized bodies (413). */
export async function readForm(c: { req: { parseBody: () => Promise<Record<string, unknown>> } }) {
  try {
    return await c.req.parseBody();
  } catch {
    throw new AppError("BAD_REQUEST", "表单无法读取：请以 multipart/form-data 提交");
  }
}

export async function fileBytes(value: unknown): Promise<Uint8Array> {
  if (!(value instanceof File)) throw validationFailed("请选择要上传的照片文件", { field: "photo" });
  checkImage(new Uint8Array(await value.slice(0, 16).arrayBuffer()), value.size);
  return new Uint8Array(await value.arrayBuffer());
}
