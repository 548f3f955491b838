{
  "targets": [
    {
      "target_name": "coffer_native",
      "sources": ["src/addon.c", "src/gear_scan.c", "src/aes_gcm.c", "src/durable_write.c", "src/direct_buffer.c", "src/direct_read.c", "src/errno_error.c", "src/rename_noreplace.c"],
      "cflags": ["-std=c11", "-O3", "-Wall", "-Wextra"]
    }
  ]
}
