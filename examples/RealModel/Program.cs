// A real model in one step: an LlmAgent on any OpenAI-compatible endpoint or Ollama, searching examples/auth-token
// with a co-located grep_search, printing latency, tokens and cost per model call. See README.md.
//
//   ollama pull llama3.1 && dotnet run --project examples/RealModel -- --model ollama:llama3.1
//   OPENAI_API_KEY=… dotnet run --project examples/RealModel -- --model openai:gpt-4o-mini --price-in 0.15 --price-out 0.60
return await RealModel.RealModelRun.RunAsync(args, Console.Out, Console.Error);
