<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>Breadcrumbs</name>
    <message>
        <location filename="../../gui/widgets/breadcrumbs.py" line="+19"/>
        <source>Breadcrumbs</source>
        <translation>面包屑导航</translation>
    </message>
</context>
<context>
    <name>DemoStage</name>
    <message>
        <location filename="../../gui/views/demo_view.py" line="+76"/>
        <source>Cold-start demo</source>
        <translation>冷启动演示</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Cold start: plain image vs accelerated image</source>
        <translation>冷启动：普通镜像 vs 加速镜像</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Space start · S race or one after the other · N next run · R reset · L last lab comparison · O open… · E PNG · X frames · F full screen · Esc leave</source>
        <translation>Space 开始 · S 同时/依次切换 · N 下一次运行 · R 重置 · L 最近的实验室比较 · O 打开… · E PNG · X 帧 · F 全屏 · Esc 退出</translation>
    </message>
    <message>
        <location line="+61"/>
        <source>both at once, each over its own link</source>
        <translation>两者同时，各用各自的链路</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>one after the other</source>
        <translation>依次进行</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Replay of the comparison of %1 · run %2 of %3 · link %4 · %5</source>
        <translation>%1 的比较回放 · 第 %2/%3 次运行 · 链路 %4 · %5</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Live on the Local server · link %1 · %2</source>
        <translation>在本地服务器上实时运行 · 链路 %1 · %2</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Space: race the demo functions live (%1; S changes it) · L: replay the lab&apos;s last comparison</source>
        <translation>Space：实时比赛演示函数（%1；按 S 切换）· L：回放实验室最近的比较</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1× faster</source>
        <translation>快 %1 倍</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1× slower</source>
        <translation>慢 %1 倍</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>%1: answered after %2 s</source>
        <translation>%1：%2 秒后响应</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Bytes fetched: %1 vs %2</source>
        <translation>拉取字节数：%1 vs %2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source> — %1 % of the image</source>
        <translation> — 占镜像的 %1 %</translation>
    </message>
    <message>
        <location line="+3"/>
        <source> · p50 over %1 runs: %2×</source>
        <translation> · %1 次运行的 p50：%2 倍</translation>
    </message>
</context>
<context>
    <name>DemoView</name>
    <message>
        <location filename="../../gui/main_window.py" line="+187"/>
        <location filename="../../gui/views/demo_view.py" line="+94"/>
        <source>Demo mode</source>
        <translation>演示模式</translation>
    </message>
    <message>
        <location filename="../../gui/views/demo_view.py" line="+21"/>
        <source>Open a saved comparison</source>
        <translation>打开已保存的对比</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Export PNG</source>
        <translation>导出 PNG</translation>
    </message>
    <message>
        <location line="+32"/>
        <location line="+9"/>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
    <message>
        <location line="-6"/>
        <location line="+10"/>
        <source>Exported</source>
        <translation>已导出</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 frames and an animated PNG in %2</source>
        <translation>已将 %1 帧和一个动画 PNG 保存到 %2</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Export frames into</source>
        <translation>帧的导出位置</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>fcdesk — demo</source>
        <translation>fcdesk — 演示</translation>
    </message>
</context>
<context>
    <name>DemoViewModel</name>
    <message>
        <location filename="../../gui/viewmodels/demo_vm.py" line="+186"/>
        <location line="+154"/>
        <location line="+10"/>
        <source>Plain image</source>
        <translation>普通镜像</translation>
    </message>
    <message>
        <location line="-163"/>
        <location line="+154"/>
        <location line="+10"/>
        <source>Accelerated image</source>
        <translation>加速镜像</translation>
    </message>
    <message>
        <location line="-26"/>
        <source>The lab has no finished comparison yet.</source>
        <translation>实验室中还没有已完成的对比。</translation>
    </message>
    <message>
        <location line="+90"/>
        <source>fetched %1</source>
        <translation>已拉取 %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source> of %1 (%2 %)</source>
        <translation> / %1（%2 %）</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The Local server is not running yet (see the status bar): press Space again once it is.</source>
        <translation>本地服务器尚未运行（见状态栏）：运行后请再按一次 Space。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Demo mode runs on the Local profile (no account needed): switch to it first.</source>
        <translation>演示模式在本地配置文件上运行（无需账号）：请先切换到本地。</translation>
    </message>
</context>
<context>
    <name>DiffModel</name>
    <message>
        <location filename="../../gui/models/diff_model.py" line="+174"/>
        <source>Change</source>
        <translation>变化</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Path</source>
        <translation>路径</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+98"/>
        <source>Before</source>
        <translation>之前</translation>
    </message>
    <message>
        <location line="-97"/>
        <location line="+97"/>
        <source>After</source>
        <translation>之后</translation>
    </message>
    <message>
        <location line="-96"/>
        <source>Size change</source>
        <translation>大小变化</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>What changed</source>
        <translation>变化内容</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>added</source>
        <translation>新增</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>removed</source>
        <translation>删除</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>changed</source>
        <translation>修改</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>directory</source>
        <translation>目录</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>content</source>
        <translation>内容</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>size</source>
        <translation>大小</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>kind %1 → %2</source>
        <translation>类型 %1 → %2</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>mode %1 → %2</source>
        <translation>权限 %1 → %2</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>owner %1 → %2</source>
        <translation>所有者 %1 → %2</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>target %1 → %2</source>
        <translation>链接目标 %1 → %2</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>%1: from layer %2</source>
        <translation>%1：来自第 %2 层</translation>
    </message>
</context>
<context>
    <name>EnvEditor</name>
    <message>
        <location filename="../../gui/widgets/env_editor.py" line="+31"/>
        <location line="+10"/>
        <source>Environment variables</source>
        <translation>环境变量</translation>
    </message>
    <message>
        <location line="-6"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Add variable</source>
        <translation>添加变量</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location line="+53"/>
        <source>“%1” is not a valid variable name</source>
        <translation>“%1”不是有效的变量名</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>“%1” is set twice</source>
        <translation>“%1”被重复设置</translation>
    </message>
</context>
<context>
    <name>ErrorPresenter</name>
    <message>
        <location filename="../../gui/errors.py" line="+59"/>
        <source>The function does not exist (any more).</source>
        <translation>函数不存在（可能已被删除）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refresh the list; someone may have deleted it.</source>
        <translation>请刷新列表；可能已被他人删除。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>A function with this name already exists.</source>
        <translation>同名函数已存在。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose another name, or edit the existing function.</source>
        <translation>请使用其他名称，或编辑现有函数。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Another update of this function is still in progress.</source>
        <translation>此函数的另一项更新仍在进行中。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Wait until its last update has finished, then try again.</source>
        <translation>请等待上一次更新完成后重试。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The service refused a value.</source>
        <translation>服务拒绝了某个值。</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+7"/>
        <source>Access denied.</source>
        <translation>访问被拒绝。</translation>
    </message>
    <message>
        <location line="-6"/>
        <location line="+7"/>
        <source>The AccessKey in this profile lacks the permission; check its RAM policy.</source>
        <translation>此配置文件中的 AccessKey 缺少权限；请检查其 RAM 策略。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The AccessKey ID is not valid.</source>
        <translation>AccessKey ID 无效。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open Settings › Profiles and enter a valid AccessKey.</source>
        <translation>请打开“设置 › 配置文件”并输入有效的 AccessKey。</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+100"/>
        <source>The service rejected the request signature.</source>
        <translation>服务拒绝了请求签名。</translation>
    </message>
    <message>
        <location line="-99"/>
        <source>The AccessKey secret is probably wrong, or this computer&apos;s clock is off.</source>
        <translation>AccessKey Secret 可能有误，或本机时钟不准确。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>No system keyring is available to store secrets.</source>
        <translation>没有可用于存储密钥的系统密钥环。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open Settings › Profiles and choose a protected file store, or enter the secret each session.</source>
        <translation>请打开“设置 › 配置文件”并选择受保护的文件存储，或在每次会话中输入密钥。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The function is at its concurrency limit.</source>
        <translation>函数已达到并发上限。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Retry in a moment or raise the function&apos;s instance concurrency.</source>
        <translation>请稍后重试，或提高函数的单实例并发度。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The service is busy.</source>
        <translation>服务繁忙。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Retry in a moment.</source>
        <translation>请稍后重试。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Too many requests.</source>
        <translation>请求过多。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>fcdesk slows down and retries; try again shortly.</source>
        <translation>fcdesk 会放慢速度并重试；请稍后再试。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The container exited before it was ready.</source>
        <translation>容器在就绪前退出了。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Check the image&apos;s entrypoint, command and port, and the log tail.</source>
        <translation>请检查镜像的启动命令、启动参数、端口以及日志末尾。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The container did not start listening.</source>
        <translation>容器未开始监听。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The server in the image must listen on 0.0.0.0 and the function&apos;s port.</source>
        <translation>镜像中的服务必须在 0.0.0.0 和函数端口上监听。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The registry instance does not exist.</source>
        <translation>镜像仓库实例不存在。</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+4"/>
        <location line="+4"/>
        <source>Refresh the list.</source>
        <translation>请刷新列表。</translation>
    </message>
    <message>
        <location line="-5"/>
        <source>The namespace does not exist.</source>
        <translation>命名空间不存在。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The repository does not exist.</source>
        <translation>仓库不存在。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>This registry edition cannot accelerate images.</source>
        <translation>此镜像仓库版本不支持镜像加速。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Image acceleration needs a Standard or Advanced Enterprise instance.</source>
        <translation>镜像加速需要企业版标准版或高级版实例。</translation>
    </message>
    <message>
        <location line="+26"/>
        <location line="+155"/>
        <source>Request failed</source>
        <translation>请求失败</translation>
    </message>
    <message>
        <location line="-148"/>
        <source>Credentials</source>
        <translation>凭证</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The profile&apos;s credentials are missing or cannot be used.</source>
        <translation>配置文件的凭证缺失或无法使用。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Open Settings › Profiles to enter or fix them.</source>
        <translation>请打开“设置 › 配置文件”输入或修正凭证。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Signature refused</source>
        <translation>签名被拒绝</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Check the AccessKey secret and this computer&apos;s clock.</source>
        <translation>请检查 AccessKey Secret 和本机时钟。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Slow down</source>
        <translation>请放慢速度</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The service is throttling requests.</source>
        <translation>服务正在限流。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Wait a moment and try again.</source>
        <translation>请稍候再试。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Not found</source>
        <translation>未找到</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The item no longer exists.</source>
        <translation>该项已不存在。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refresh the view.</source>
        <translation>请刷新视图。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Registry login failed</source>
        <translation>镜像仓库登录失败</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The registry refused the credentials.</source>
        <translation>镜像仓库拒绝了凭证。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Check the registry user name and password in Settings › Profiles.</source>
        <translation>请在“设置 › 配置文件”中检查镜像仓库的用户名和密码。</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>It is the Local server on this computer: see its state in the status bar (Settings › Local server can restart it).</source>
        <translation>这是本机上的本地服务器：请在状态栏查看其状态（可在“设置 › 本地服务器”中重启）。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Check this computer&apos;s network connection and try again.</source>
        <translation>请检查本机的网络连接后重试。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Timed out</source>
        <translation>超时</translation>
    </message>
    <message>
        <location line="-18"/>
        <source>The server did not answer in time.</source>
        <translation>服务器未及时响应。</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Connection problem</source>
        <translation>连接问题</translation>
    </message>
    <message>
        <location line="-16"/>
        <source>fcdesk could not reach the server.</source>
        <translation>fcdesk 无法连接到服务器。</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Invalid image reference</source>
        <translation>无效的镜像地址</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Use the form registry/namespace/repository:tag.</source>
        <translation>请使用“镜像仓库地址/命名空间/仓库:标签”格式。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Invalid value</source>
        <translation>无效的值</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Conversion failed</source>
        <translation>转换失败</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The task log has the details; the source image is unchanged.</source>
        <translation>详情见任务日志；源镜像未被更改。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Corrupt data</source>
        <translation>数据损坏</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Downloaded data did not match its digest.</source>
        <translation>下载的数据与其摘要不匹配。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Nothing was kept. Try again; if it repeats, the registry is serving corrupt content.</source>
        <translation>未保留任何数据。请重试；如果反复出现，说明镜像仓库提供的内容已损坏。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Not connected</source>
        <translation>未连接</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The profile in use is not connected (yet).</source>
        <translation>当前使用的配置文件（尚）未连接。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Wait until the status bar says it is connected, or choose another profile.</source>
        <translation>请等待状态栏显示已连接，或选择其他配置文件。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Local server</source>
        <translation>本地服务器</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The Local server could not start or answer.</source>
        <translation>本地服务器无法启动或没有响应。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>See Settings › Local server (data directory, port) and its log.</source>
        <translation>请查看“设置 › 本地服务器”（数据目录、端口）及其日志。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Cold start failed</source>
        <translation>冷启动失败</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Error</source>
        <translation>错误</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>File or system error</source>
        <translation>文件或系统错误</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Unexpected error</source>
        <translation>意外错误</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Something went wrong inside fcdesk.</source>
        <translation>fcdesk 内部出现了问题。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The details below help to report it.</source>
        <translation>报告问题时，以下详情会有所帮助。</translation>
    </message>
</context>
<context>
    <name>ExceptionDialog</name>
    <message>
        <location line="+69"/>
        <source>Error details</source>
        <translation>错误详情</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Technical details</source>
        <translation>技术详情</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Copy details</source>
        <translation>复制详情</translation>
    </message>
</context>
<context>
    <name>FilesModel</name>
    <message>
        <location filename="../../gui/models/files_model.py" line="+259"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start-up</source>
        <translation>启动</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mode</source>
        <translation>权限</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Owner</source>
        <translation>所有者</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Modified</source>
        <translation>修改时间</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>start-up</source>
        <translation>启动时读取</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>%1 in %2 entries</source>
        <translation>%2 个条目，共 %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>start-up reads %1 of it</source>
        <translation>启动时读取其中 %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Read at start-up (in the image&apos;s start-up profile)</source>
        <translation>启动时读取（在镜像的启动配置文件中）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>From layer %1</source>
        <translation>来自第 %1 层</translation>
    </message>
</context>
<context>
    <name>FilesView</name>
    <message>
        <location filename="../../gui/views/files_view.py" line="+53"/>
        <source>Search files</source>
        <translation>搜索文件</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Compare with…</source>
        <translation>与…比较</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Another tag of this repository, or NAMESPACE/REPOSITORY:TAG of this registry instance</source>
        <translation>此仓库的另一个标签，或此镜像实例中的 NAMESPACE/REPOSITORY:TAG</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Image to compare with</source>
        <translation>要比较的镜像</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Compare</source>
        <translation>比较</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>List what was added, removed or changed between the two images</source>
        <translation>列出两个镜像之间新增、删除或修改的内容</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Read the file tree again</source>
        <translation>重新读取文件树</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reload the file tree</source>
        <translation>重新加载文件树</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Reading the image</source>
        <translation>正在读取镜像</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Show or hide these paths</source>
        <translation>显示或隐藏这些路径</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Swap</source>
        <translation>交换</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Compare the other way round</source>
        <translation>反向比较</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Back to the files</source>
        <translation>返回文件列表</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Reading the image to compare with</source>
        <translation>正在读取要比较的镜像</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Files of the image</source>
        <translation>镜像中的文件</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Files found</source>
        <translation>找到的文件</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Differences between the two images</source>
        <translation>两个镜像之间的差异</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>Hidden by upper layers</source>
        <translation>被上层隐藏的内容</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Path</source>
        <translation>路径</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>From layer</source>
        <translation>来源层</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Hidden by</source>
        <translation>隐藏它的层</translation>
    </message>
    <message>
        <location line="+75"/>
        <source>“%1” names no image to compare with: %2</source>
        <translation>“%1”没有指明可比较的镜像：%2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Type a tag of this repository, or NAMESPACE/REPOSITORY:TAG.</source>
        <translation>请输入此仓库的标签，或 NAMESPACE/REPOSITORY:TAG。</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Reading the image to compare with…</source>
        <translation>正在读取要比较的镜像…</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Plain image: reading its layers once (%1 of %2, %3 left)…</source>
        <translation>普通镜像：正在一次性读取其各层（%1 / %2，剩余 %3）…</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>From %1 to %2</source>
        <translation>从 %1 到 %2</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Added: %1 (%2)</source>
        <translation>新增：%1（%2）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Removed: %1 (%2)</source>
        <translation>删除：%1（%2）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Changed: %1 (%2)</source>
        <translation>修改：%1（%2）</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>This registry instance has no repository %1.</source>
        <translation>此镜像实例中没有仓库 %1。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Check the name; repositories of another instance cannot be compared.</source>
        <translation>请检查名称；无法与其他实例中的仓库进行比较。</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>Reading the image&apos;s file tree…</source>
        <translation>正在读取镜像的文件树…</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Plain image: reading its layers once (%1 of %2, %3/s, %4 left)…</source>
        <translation>普通镜像：正在一次性读取其各层（%1 / %2，%3/秒，剩余 %4）…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The index is kept for next time.</source>
        <translation>索引会保存以供下次使用。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reading the tables of contents…</source>
        <translation>正在读取目录（TOC）…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Merging the layers…</source>
        <translation>正在合并各层…</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>● Start-up profile: %1 files, %2 — %3 % of the image&apos;s bytes</source>
        <translation>● 启动配置文件：%1 个文件，%2 — 占镜像字节数的 %3 %</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>No start-up profile recorded for this image.</source>
        <translation>此镜像尚未记录启动配置文件。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Hidden by upper layers: %1 (%2)</source>
        <translation>被上层隐藏：%1（%2）</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>read from its TOCs</source>
        <translation>从其 TOC 读取</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>its layers streamed once (the index is kept for next time)</source>
        <translation>各层已一次性读取（索引已保存供下次使用）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>from the index kept earlier</source>
        <translation>来自之前保存的索引</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 entries, %2 of files — %3 in %4</source>
        <translation>%1 个条目，文件共 %2 — %3，用时 %4</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1 of %2 differences shown</source>
        <translation>显示 %2 项差异中的 %1 项</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 matches</source>
        <translation>%1 个匹配</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>whiteout</source>
        <translation>whiteout 删除</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>opaque directory</source>
        <translation>不透明目录</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>replaced</source>
        <translation>被替换</translation>
    </message>
</context>
<context>
    <name>FixDialog</name>
    <message>
        <location filename="../../gui/dialogs/fix_dialog.py" line="+25"/>
        <source>Confirm fix</source>
        <translation>确认修复</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&lt;b&gt;%1&lt;/b&gt; on %2 — this will:</source>
        <translation>%2 上的 &lt;b&gt;%1&lt;/b&gt; — 将执行以下操作：</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Steps marked “By hand” are left to you.</source>
        <translation>标记为“手动”的步骤需要您自行完成。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Apply</source>
        <translation>应用</translation>
    </message>
</context>
<context>
    <name>Format</name>
    <message>
        <location filename="../../gui/format.py" line="+42"/>
        <source>%1 ms</source>
        <translation>%1 毫秒</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 min %2 s</source>
        <translation>%1 分 %2 秒</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>estimating…</source>
        <translation>正在估算…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>almost done</source>
        <translation>即将完成</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 s left</source>
        <translation>剩余 %1 秒</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 min left</source>
        <translation>剩余 %1 分钟</translation>
    </message>
</context>
<context>
    <name>FunctionDetailView</name>
    <message>
        <location filename="../../gui/views/function_detail_view.py" line="+87"/>
        <source>All functions</source>
        <translation>全部函数</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Back to all functions</source>
        <translation>返回函数列表</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Function details</source>
        <translation>函数详情</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>State reason</source>
        <translation>状态原因</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last update</source>
        <translation>最近更新</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Update reason</source>
        <translation>更新原因</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Image</source>
        <translation>镜像</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Deployed digest</source>
        <translation>已部署的摘要</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Description</source>
        <translation>描述</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ARN</source>
        <translation>ARN</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Created</source>
        <translation>创建时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last modified</source>
        <translation>最后修改时间</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The function records the tag&apos;s digest at deployment. Pushing a different image to the same tag, or deleting the image, later makes the function fail: update it to deploy an image again.</source>
        <translation>函数在部署时记录标签的摘要。之后向同一标签推送其他镜像或删除该镜像，都会使函数失败：请更新函数以重新部署镜像。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Overview</source>
        <translation>概览</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>vCPU</source>
        <translation>vCPU</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Memory</source>
        <translation>内存</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Disk</source>
        <translation>磁盘</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Timeout</source>
        <translation>超时时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Instance concurrency</source>
        <translation>单实例并发度</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Port</source>
        <translation>端口</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Entrypoint</source>
        <translation>启动命令</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Command</source>
        <translation>启动参数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Health check</source>
        <translation>健康检查</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Internet access</source>
        <translation>公网访问</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+7"/>
        <source>Environment variables</source>
        <translation>环境变量</translation>
    </message>
    <message>
        <location line="-4"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>This function sets no environment variables.</source>
        <translation>此函数未设置环境变量。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Configuration</source>
        <translation>配置</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Image:</source>
        <translation>镜像：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Deployed digest:</source>
        <translation>已部署的摘要：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Acceleration:</source>
        <translation>加速：</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Switch to the accelerated image…</source>
        <translation>切换到加速镜像…</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Image &amp;&amp; acceleration</source>
        <translation>镜像与加速</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Synchronous</source>
        <translation>同步</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Asynchronous</source>
        <translation>异步</translation>
    </message>
    <message>
        <location line="+17"/>
        <location line="+53"/>
        <source>Invoke</source>
        <translation>调用</translation>
    </message>
    <message>
        <location line="-50"/>
        <source>Invoke (Ctrl+Enter)</source>
        <translation>调用 (Ctrl+Enter)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Event (request body)</source>
        <translation>事件（请求体）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Event</source>
        <translation>事件</translation>
    </message>
    <message>
        <location line="+21"/>
        <location line="+3"/>
        <source>Response body</source>
        <translation>响应体</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+3"/>
        <source>Log tail</source>
        <translation>日志末尾</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Compare this function&apos;s cold start with another function or image in the Cold-start lab: both are started cold several times over the same shaped link and timed phase by phase.</source>
        <translation>在冷启动实验室中，将此函数的冷启动与其他函数或镜像进行对比：两者在相同的模拟链路上各冷启动若干次，并逐阶段计时。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Compared with</source>
        <translation>对比对象</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>p50 (this / other)</source>
        <translation>p50（本函数 / 对比对象）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This function</source>
        <translation>本函数</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Cold-start runs of this function</source>
        <translation>此函数的冷启动记录</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No comparison with this function yet: “Compare in the lab…” runs one.</source>
        <translation>尚无与此函数的对比：点击“在实验室中对比…”运行一次。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Compare in the lab…</source>
        <translation>在实验室中对比…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Cold starts</source>
        <translation>冷启动</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Scroll to new lines</source>
        <translation>滚动到新行</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Clear the shown log lines</source>
        <translation>清除显示的日志行</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Function logs</source>
        <translation>函数日志</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Logs</source>
        <translation>日志</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>The log stream of %1 is not open: %2 (trying again in %3 s)</source>
        <translation>%1 的日志流未打开：%2（%3 秒后重试）</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Alibaba Cloud keeps function logs in Simple Log Service: give the function a log configuration (project and logstore) and read them in the Simple Log Service console. Shown here: the log tail (last 4 KB) of each invocation made from this console.</source>
        <translation>阿里云将函数日志保存在日志服务（SLS）中：为函数配置日志（Project 和 Logstore），并在日志服务控制台查看。此处显示从本控制台发起的每次调用的日志尾部（最后 4 KB）。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Following what %1&apos;s instances print, as they run.</source>
        <translation>正在实时跟踪 %1 的实例输出。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Not following (open this tab to follow).</source>
        <translation>未跟踪（打开此标签页即开始跟踪）。</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>— %1, request %2 —</source>
        <translation>— %1，请求 %2 —</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>The Local server invokes functions synchronously only.</source>
        <translation>本地服务器仅支持同步调用函数。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>(not on the Local server)</source>
        <translation>（本地服务器不支持）</translation>
    </message>
    <message numerus="yes">
        <location line="+57"/>
        <source>%n second(s)</source>
        <translation>
            <numerusform>%n 秒</numerusform>
        </translation>
    </message>
    <message>
        <location line="+8"/>
        <source>GET %1 every %2 s</source>
        <translation>每 %2 秒 GET %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>This function uses an accelerated image: cold starts fetch only what start-up reads, on demand.</source>
        <translation>此函数使用加速镜像：冷启动时仅按需拉取启动过程读取的内容。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>An accelerated twin (%1) of this image is ready. Switch the function to it for faster cold starts.</source>
        <translation>此镜像的加速版本（%1）已就绪。将函数切换到该版本可加快冷启动。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The accelerated twin of this image is being converted. Switch once it is ready.</source>
        <translation>此镜像的加速版本正在转换中。就绪后再切换。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>This image has no accelerated twin. Switch acceleration on for its repository (Images view) to convert it.</source>
        <translation>此镜像没有加速版本。请在镜像页面为其仓库开启加速以进行转换。</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>about as fast</source>
        <translation>速度相当</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1× faster</source>
        <translation>快 %1 倍</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1× slower</source>
        <translation>慢 %1 倍</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>The event is not valid JSON (%1); it is sent as it is.</source>
        <translation>事件不是有效的 JSON（%1），将按原样发送。</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Accepted %1</source>
        <translation>已接受 %1</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>HTTP %1</source>
        <translation>HTTP %1</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+26"/>
        <source>Request id: %1</source>
        <translation>请求 ID：%1</translation>
    </message>
    <message numerus="yes">
        <location line="-14"/>
        <source>(%n byte(s) of binary data)</source>
        <translation>
            <numerusform>（%n 字节的二进制数据）</numerusform>
        </translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
</context>
<context>
    <name>FunctionDialog</name>
    <message>
        <location filename="../../gui/dialogs/function_dialog.py" line="+121"/>
        <source>Create function</source>
        <translation>创建函数</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Edit %1</source>
        <translation>编辑 %1</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>letters, digits, _ and -; 1–64 characters</source>
        <translation>字母、数字、_ 和 -，1–64 个字符</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Function name</source>
        <translation>函数名称</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>registry/namespace/repository:tag</source>
        <translation>镜像仓库地址/命名空间/仓库:标签</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+8"/>
        <source>Image</source>
        <translation>镜像</translation>
    </message>
    <message>
        <location line="-7"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Browse images</source>
        <translation>浏览镜像</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Why?</source>
        <translation>为什么？</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+1"/>
        <source>Why is this image not accelerated?</source>
        <translation>为什么此镜像未加速？</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Deploy only when the accelerated image is ready</source>
        <extracomment>the why panel&apos;s fix under way: (fix, image, plain tag, twin state last seen)</extracomment>
        <translation>仅在加速镜像就绪后部署</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Wait for the image&apos;s _accelerated twin, then deploy it; if it does not get ready, the function is left as it was and the reason is shown.</source>
        <translation>等待镜像的 _accelerated 版本就绪后再部署；若未能就绪，函数保持不变并显示原因。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Wait at most</source>
        <translation>最多等待</translation>
    </message>
    <message>
        <location line="+4"/>
        <source> min</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Wait at most (minutes)</source>
        <translation>最多等待（分钟）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>then deploy the plain image</source>
        <translation>之后部署普通镜像</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Conversion progress</source>
        <translation>转换进度</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Acceleration</source>
        <translation>加速</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+1"/>
        <source>Description</source>
        <translation>描述</translation>
    </message>
    <message>
        <location line="+8"/>
        <location line="+1"/>
        <source>vCPU</source>
        <translation>vCPU</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+1"/>
        <source>Memory</source>
        <translation>内存</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+1"/>
        <source>Disk</source>
        <translation>磁盘</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+1"/>
        <location line="+43"/>
        <source>Timeout</source>
        <translation>超时时间</translation>
    </message>
    <message>
        <location line="-40"/>
        <location line="+2"/>
        <source>Instance concurrency</source>
        <translation>单实例并发度</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Basics</source>
        <translation>基本设置</translation>
    </message>
    <message>
        <location line="+8"/>
        <location line="+1"/>
        <source>Port</source>
        <translation>端口</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>e.g. python   (image default if empty)</source>
        <translation>例如 python（留空则使用镜像默认值）</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>Entrypoint</source>
        <translation>启动命令</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>e.g. app.py --port 9000</source>
        <translation>例如 app.py --port 9000</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>Command</source>
        <translation>启动参数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Health check</source>
        <translation>健康检查</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Health check path</source>
        <translation>健康检查路径</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>HTTP GET path</source>
        <translation>HTTP GET 路径</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Initial delay</source>
        <translation>初始延迟</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Period</source>
        <translation>检查间隔</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Success threshold</source>
        <translation>成功阈值</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Failure threshold</source>
        <translation>失败阈值</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Allow internet access</source>
        <translation>允许访问公网</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Container</source>
        <translation>容器</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Environment variables</source>
        <translation>环境变量</translation>
    </message>
    <message>
        <location line="+15"/>
        <location line="+582"/>
        <source>Create</source>
        <translation>创建</translation>
    </message>
    <message>
        <location line="-582"/>
        <location line="+582"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location line="-433"/>
        <source>Cannot read the entrypoint: %1</source>
        <translation>无法解析启动命令：%1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Cannot read the command: %1</source>
        <translation>无法解析启动参数：%1</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Fill in the name and the image to create the function.</source>
        <translation>请填写名称和镜像以创建函数。</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n problem(s) to fix before saving.</source>
        <translation>
            <numerusform>保存前需修复 %n 个问题。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+18"/>
        <location line="+29"/>
        <source>Required.</source>
        <translation>必填。</translation>
    </message>
    <message>
        <location line="-28"/>
        <source>Use letters, digits, _ or -; do not start with a digit or -.</source>
        <translation>请使用字母、数字、_ 或 -，且不能以数字或 - 开头。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>At most %1 characters.</source>
        <translation>最多 %1 个字符。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Must be between %1 and %2.</source>
        <translation>必须介于 %1 和 %2 之间。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Must be a multiple of %1.</source>
        <translation>必须是 %1 的倍数。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>vCPU : memory (GB) must be between 1:1 and 1:4; with this memory use %1–%2 vCPU.</source>
        <translation>vCPU 与内存（GB）之比必须在 1:1 到 1:4 之间；此内存大小请使用 %1–%2 vCPU。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Choose one of %1.</source>
        <translation>请从 %1 中选择。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Not a valid image reference (registry/namespace/repository:tag).</source>
        <translation>不是有效的镜像地址（镜像仓库地址/命名空间/仓库:标签）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Wrong type of value.</source>
        <translation>值的类型不正确。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Invalid format.</source>
        <translation>格式无效。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Use 1–64 letters, digits, _ or -; do not start with a digit or -.</source>
        <translation>请使用 1–64 个字母、数字、_ 或 -，且不能以数字或 - 开头。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>vCPU must be a multiple of 0.05 between 0.05 and 16.</source>
        <translation>vCPU 必须是 0.05 的倍数，范围为 0.05–16。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Memory must be a multiple of 64 MB between 128 and 32768.</source>
        <translation>内存必须是 64 MB 的倍数，范围为 128–32768 MB。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>vCPU : memory (GB) must be between 1:1 and 1:4 (e.g. 1 vCPU with 1–4 GB).</source>
        <translation>vCPU 与内存（GB）之比必须在 1:1 到 1:4 之间（例如 1 vCPU 对应 1–4 GB）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Disk must be 512 MB or 10 GB.</source>
        <translation>磁盘大小必须为 512 MB 或 10 GB。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Out of range.</source>
        <translation>超出范围。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not a valid image reference.</source>
        <translation>不是有效的镜像地址。</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Accelerated</source>
        <translation>已加速</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cold starts load this image on demand.</source>
        <translation>冷启动时按需加载此镜像。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Twin ready</source>
        <translation>加速版本就绪</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>An accelerated twin of this tag exists; choose it for faster cold starts.</source>
        <translation>此标签存在加速版本；选择它可加快冷启动。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Not ready</source>
        <translation>未就绪</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The accelerated image is not ready yet. Deploying now uses the plain image, with full-pull cold starts.</source>
        <translation>加速镜像尚未就绪。现在部署将使用普通镜像，冷启动时需要完整拉取。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Not accelerated</source>
        <translation>未加速</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This image is not accelerated: every cold start pulls it whole.</source>
        <translation>此镜像未加速：每次冷启动都会完整拉取。</translation>
    </message>
    <message>
        <location line="+91"/>
        <source>Opening the repository of %1…</source>
        <translation>正在打开 %1 所在的仓库…</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Switching acceleration on for %1…</source>
        <translation>正在为 %1 开启镜像加速…</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+25"/>
        <source>Starting the conversion of %1…</source>
        <translation>正在开始转换 %1…</translation>
    </message>
    <message>
        <location line="-14"/>
        <source>Could not open the image&apos;s repository: %1</source>
        <translation>无法打开镜像所在的仓库：%1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No registry instance of this connection holds %1.</source>
        <translation>此连接的镜像仓库实例中都没有 %1。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Acceleration is on: new pushes are converted.</source>
        <translation>加速已开启：新推送的镜像会被转换。</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Converting %1: %2 %</source>
        <translation>正在转换 %1：%2 %</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Converting %1…</source>
        <translation>正在转换 %1…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 is ready.</source>
        <translation>%1 已就绪。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The conversion of %1 failed: %2</source>
        <translation>%1 转换失败：%2</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>Converting %1: %2 % (%3 left)</source>
        <translation>正在转换 %1：%2 %（剩余 %3）</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 is ready; deploying it…</source>
        <translation>%1 已就绪，正在部署…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Waiting for %1 (%2 s)…</source>
        <translation>正在等待 %1（%2 秒）…</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>Checking the accelerated image of %1…</source>
        <translation>正在检查 %1 的加速镜像…</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Creating…</source>
        <translation>正在创建…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Waiting for the accelerated image failed: %1</source>
        <translation>等待加速镜像失败：%1</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Nothing was deployed: the accelerated image could not be checked.</source>
        <translation>未部署任何内容：无法检查加速镜像。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>The service refused the function: %1</source>
        <translation>服务拒绝了该函数：%1</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>%1 was not ready after %2 min: nothing was deployed.</source>
        <translation>%1 在 %2 分钟后仍未就绪：未部署任何内容。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 will not get ready: nothing was deployed.</source>
        <translation>%1 无法就绪：未部署任何内容。</translation>
    </message>
</context>
<context>
    <name>FunctionsModel</name>
    <message>
        <location filename="../../gui/models/functions_model.py" line="+39"/>
        <location line="+16"/>
        <location line="+25"/>
        <source>…</source>
        <translation>…</translation>
    </message>
    <message>
        <location line="-36"/>
        <source>Active</source>
        <translation>可用</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pending</source>
        <translation>等待中</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+17"/>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location line="-16"/>
        <source>Inactive</source>
        <translation>不可用</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Optimizing image</source>
        <translation>镜像优化中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>In progress</source>
        <translation>进行中</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Successful</source>
        <translation>成功</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Accelerated</source>
        <translation>已加速</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Twin available</source>
        <translation>有加速版本</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Converting</source>
        <translation>转换中</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Conversion failed</source>
        <translation>转换失败</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Not accelerated</source>
        <translation>未加速</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Image</source>
        <translation>镜像</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Acceleration</source>
        <translation>加速</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last update</source>
        <translation>最近更新</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>CPU / Memory</source>
        <translation>CPU / 内存</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last modified</source>
        <translation>最后修改时间</translation>
    </message>
    <message>
        <location line="+70"/>
        <source>%1 vCPU / %2 MB</source>
        <translation>%1 vCPU / %2 MB</translation>
    </message>
</context>
<context>
    <name>FunctionsView</name>
    <message>
        <location filename="../../gui/views/functions_view.py" line="+74"/>
        <location line="+19"/>
        <location line="+76"/>
        <location line="+1"/>
        <source>Functions</source>
        <translation>函数</translation>
    </message>
    <message>
        <location line="-92"/>
        <source>Search functions</source>
        <translation>搜索函数</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refresh functions</source>
        <translation>刷新函数列表</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+2"/>
        <source>Create function</source>
        <translation>创建函数</translation>
    </message>
    <message>
        <location line="+37"/>
        <location line="+132"/>
        <source>No functions yet. Create one to get started.</source>
        <translation>还没有函数。创建一个开始使用吧。</translation>
    </message>
    <message>
        <location line="-18"/>
        <source>The functions could not be listed: %1</source>
        <translation>无法列出函数：%1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Connecting… The functions appear once the profile is connected.</source>
        <translation>正在连接… 配置文件连接后将显示函数。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not connected. The functions appear once the profile is connected.</source>
        <translation>未连接。配置文件连接后将显示函数。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This profile is a plain OCI registry: it has no functions. Its images are under Images; use the Local or an Alibaba Cloud profile for functions.</source>
        <translation>此配置文件是普通的 OCI 镜像仓库，没有函数。其镜像位于“镜像”页面；如需使用函数，请选择 Local 或阿里云配置文件。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The Local server is setting up its demo: the functions demo-plain and demo-accelerated appear here in a few seconds.</source>
        <translation>本地服务器正在准备演示：函数 demo-plain 和 demo-accelerated 将在几秒钟内显示在这里。</translation>
    </message>
    <message numerus="yes">
        <location line="+11"/>
        <source>%n function(s)</source>
        <translation>
            <numerusform>%n 个函数</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 of %2 shown</source>
        <translation>显示 %1 / %2</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>scroll for more</source>
        <translation>滚动查看更多</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>loading…</source>
        <translation>加载中…</translation>
    </message>
</context>
<context>
    <name>FunctionsViewModel</name>
    <message>
        <location filename="../../gui/viewmodels/functions_vm.py" line="+257"/>
        <source>Deployment failed</source>
        <translation>部署失败</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <location line="-21"/>
        <location line="+23"/>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <location line="-19"/>
        <source>Function failed</source>
        <translation>函数失败</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 can no longer be invoked: %2. Update it to deploy an image again.</source>
        <translation>%1 已无法调用：%2。请更新函数以重新部署镜像。</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Deployment finished</source>
        <translation>部署完成</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 is active and up to date.</source>
        <translation>%1 已激活且为最新状态。</translation>
    </message>
    <message>
        <location line="+82"/>
        <source>Redeployed on the optimized image</source>
        <translation>已在优化后的镜像上重新部署</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 now runs %2 (%3): the Local server converted the image again with its start-up files first.</source>
        <translation>%1 现在运行 %2（%3）：本地服务器已将启动时读取的文件放在最前面，重新转换了该镜像。</translation>
    </message>
    <message>
        <location line="+82"/>
        <source>Function deleted</source>
        <translation>函数已删除</translation>
    </message>
</context>
<context>
    <name>ImagePickerDialog</name>
    <message>
        <location filename="../../gui/dialogs/image_picker_dialog.py" line="+63"/>
        <location line="+1"/>
        <source>Select an image</source>
        <translation>选择镜像</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Registry instance</source>
        <translation>镜像仓库实例</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Namespace</source>
        <translation>命名空间</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Namespace:</source>
        <translation>命名空间：</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Instance:</source>
        <translation>实例：</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Filter repositories</source>
        <translation>筛选仓库</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Repositories</source>
        <translation>仓库</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Filter tags</source>
        <translation>筛选标签</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Tags</source>
        <translation>标签</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Use the accelerated twin</source>
        <translation>使用加速版本</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Switch acceleration on</source>
        <translation>开启加速</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+214"/>
        <location line="+12"/>
        <source>Convert now</source>
        <translation>立即转换</translation>
    </message>
    <message>
        <location line="-219"/>
        <source>Use the VPC registry address</source>
        <translation>使用 VPC 镜像仓库地址</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Functions pull over the VPC; the instance must allow the function&apos;s VPC.</source>
        <translation>函数将通过 VPC 拉取镜像；实例必须允许该函数所在的 VPC 访问。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Select</source>
        <translation>选择</translation>
    </message>
    <message>
        <location line="+53"/>
        <source>no acceleration</source>
        <translation>未开启加速</translation>
    </message>
    <message>
        <location line="-42"/>
        <source>All namespaces</source>
        <translation>全部命名空间</translation>
    </message>
    <message>
        <location line="+129"/>
        <source>Choose a repository and a tag.</source>
        <translation>请选择仓库和标签。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Accelerated</source>
        <translation>已加速</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>An accelerated image: cold starts fetch only what start-up reads.</source>
        <translation>加速镜像：冷启动时只拉取启动过程读取的内容。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Twin ready</source>
        <translation>加速版本就绪</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Its accelerated twin %1 exists and starts faster.</source>
        <translation>其加速版本 %1 已存在，启动更快。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Converting</source>
        <translation>转换中</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The accelerated twin %1 is not ready yet. Deploying this plain tag now means full-image cold starts.</source>
        <translation>加速版本 %1 尚未就绪。现在部署此普通标签，冷启动时将完整拉取镜像。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Conversion failed</source>
        <translation>转换失败</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Converting this tag failed: %1</source>
        <translation>此标签转换失败：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>see the task log</source>
        <translation>请查看任务日志</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Convert again</source>
        <translation>重新转换</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No twin</source>
        <translation>无加速版本</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Its conversion was cancelled: convert it now to get %1.</source>
        <translation>其转换已被取消：立即转换以获得 %1。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Acceleration is on, but this tag was pushed before: convert it now to get %1.</source>
        <translation>加速已开启，但此标签是在此之前推送的：立即转换以生成 %1。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>This repository has no image acceleration. Switch it on to convert this tag into %1.</source>
        <translation>此仓库未开启镜像加速。开启后会将此标签转换为 %1。</translation>
    </message>
</context>
<context>
    <name>ImagesView</name>
    <message>
        <location filename="../../gui/views/images_view.py" line="+68"/>
        <location line="+299"/>
        <source>Images</source>
        <translation>镜像</translation>
    </message>
    <message>
        <location line="-295"/>
        <source>Instance:</source>
        <translation>实例：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Registry instance</source>
        <translation>镜像仓库实例</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Namespace:</source>
        <translation>命名空间：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Namespace</source>
        <translation>命名空间</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location line="+9"/>
        <location line="+4"/>
        <source>Repositories</source>
        <translation>仓库</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Image acceleration</source>
        <translation>镜像加速</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Image acceleration for this repository</source>
        <translation>此仓库的镜像加速</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Convert every tag pushed from now on into &lt;tag&gt;_accelerated.</source>
        <translation>将此后推送的每个标签转换为 &lt;tag&gt;_accelerated。</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Filter tags</source>
        <translation>筛选标签</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+568"/>
        <source>Convert now</source>
        <translation>立即转换</translation>
    </message>
    <message>
        <location line="-567"/>
        <source>Convert the selected tag now</source>
        <translation>立即转换所选标签</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Convert all unconverted</source>
        <translation>转换全部未转换的标签</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Push an image…</source>
        <translation>推送镜像…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The exact commands that push an image into this repository</source>
        <translation>将镜像推送到此仓库的确切命令</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Tags</source>
        <translation>标签</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>Conversion progress</source>
        <translation>转换进度</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Show task</source>
        <translation>查看任务</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Tag:</source>
        <translation>标签：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pair:</source>
        <translation>对应镜像：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Acceleration:</source>
        <translation>加速：</translation>
    </message>
    <message>
        <location line="+10"/>
        <location line="+527"/>
        <source>Record</source>
        <translation>记录</translation>
    </message>
    <message>
        <location line="-522"/>
        <source>Start-up profile:</source>
        <translation>启动配置文件：</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Why:</source>
        <translation>原因：</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Digest:</source>
        <translation>摘要：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Address (VPC):</source>
        <translation>地址（VPC）：</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+280"/>
        <source>Files</source>
        <translation>文件</translation>
    </message>
    <message>
        <location line="-278"/>
        <source>The tag&apos;s file tree, read without pulling the image</source>
        <translation>无需拉取镜像即可读取的标签文件树</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <location line="+136"/>
        <source>No repository selected</source>
        <translation>未选择仓库</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>A plain OCI registry does not convert by itself: select tags and use “Convert now” to convert them on this computer.</source>
        <translation>普通的 OCI 镜像仓库不会自动转换：请选择标签，然后点击“立即转换”在本机上转换。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>This instance&apos;s edition cannot accelerate images (Standard or Advanced needed).</source>
        <translation>此实例的版本不支持镜像加速（需要标准版或高级版）。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>New tags are converted into &lt;tag&gt;_accelerated as they are pushed. Tags pushed earlier need “Convert now”.</source>
        <translation>新标签在推送时会转换为 &lt;tag&gt;_accelerated。之前推送的标签需要点击“立即转换”。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Tags are not converted.</source>
        <translation>标签不会被转换。</translation>
    </message>
    <message numerus="yes">
        <location line="+23"/>
        <source>%n tag(s)</source>
        <translation>
            <numerusform>%n 个标签</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 shown</source>
        <translation>显示 %1 个</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n accelerated</source>
        <translation>
            <numerusform>%n 个已加速</numerusform>
        </translation>
    </message>
    <message>
        <location line="+183"/>
        <source>accelerated image of %1</source>
        <translation>%1 的加速镜像</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Accelerated image</source>
        <translation>加速镜像</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>accelerated twin: %1</source>
        <translation>加速版本：%1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>accelerated twin: %1 (being converted)</source>
        <translation>加速版本：%1（转换中）</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Converting</source>
        <translation>转换中</translation>
    </message>
    <message>
        <location line="+9"/>
        <location line="+8"/>
        <source>no accelerated twin</source>
        <translation>无加速版本</translation>
    </message>
    <message>
        <location line="-7"/>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The conversion failed; see the task log.</source>
        <translation>转换失败，请查看任务日志。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Convert again</source>
        <translation>重新转换</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>not recorded</source>
        <translation>未记录</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>queued for recording</source>
        <translation>等待记录</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>recording (the accelerated image starts once)…</source>
        <translation>正在记录（加速镜像启动一次）…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>not recorded: %1</source>
        <translation>未记录：%1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>1 file, %2, recorded %3</source>
        <translation>1 个文件，%2，记录于 %3</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 files, %2, recorded %3</source>
        <translation>%1 个文件，%2，记录于 %3</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>(static: the entrypoint and its libraries)</source>
        <translation>（静态：仅入口程序及其库）</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Record again</source>
        <translation>重新记录</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Start the accelerated image once, record the files its start-up reads, and convert the tag again so that it fetches them first</source>
        <translation>启动加速镜像一次，记录启动时读取的文件，并重新转换该标签，使其优先获取这些文件</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Alibaba Cloud prefetches the files listed in the repository&apos;s rule</source>
        <translation>阿里云会预取仓库规则中列出的文件</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Set prefetch list…</source>
        <translation>设置预取列表…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Use a profile recorded with &apos;fcaccel profile record --output FILE&apos;</source>
        <translation>使用 &apos;fcaccel profile record --output FILE&apos; 记录的配置文件</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Choose a start-up profile</source>
        <translation>选择启动配置文件</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Start-up profiles (*.txt *.json *.ndjson);;All files (*)</source>
        <translation>启动配置文件 (*.txt *.json *.ndjson);;所有文件 (*)</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Nothing to prefetch</source>
        <translation>没有可预取的内容</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 lists no files</source>
        <translation>%1 未列出任何文件</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>Switch acceleration off</source>
        <translation>关闭加速</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stop converting new tags of %1?</source>
        <translation>停止转换 %1 的新标签？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Existing accelerated images are kept.</source>
        <translation>已有的加速镜像会保留。</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Nothing to convert</source>
        <translation>没有需要转换的标签</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Every tag of %1 has its accelerated image or is being converted.</source>
        <translation>%1 的每个标签都已有加速镜像或正在转换。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Convert existing tags</source>
        <translation>转换已有标签</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n tag(s) were pushed before acceleration was on. Convert them now?</source>
        <translation>
            <numerusform>有 %n 个标签是在开启加速之前推送的。现在转换吗？</numerusform>
        </translation>
    </message>
    <message>
        <location line="+4"/>
        <source>New pushes are converted automatically.</source>
        <translation>之后推送的标签会自动转换。</translation>
    </message>
</context>
<context>
    <name>ImagesViewModel</name>
    <message>
        <location filename="../../gui/viewmodels/images_vm.py" line="+355"/>
        <source>Prefetch list set</source>
        <extracomment>Start-up profiles of the current repository&apos;s images, by plain tag.</extracomment>
        <translation>已设置预取列表</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%1 prefetches %n file(s) first</source>
        <translation>
            <numerusform>%1 将优先预取 %n 个文件</numerusform>
        </translation>
    </message>
    <message>
        <location line="+118"/>
        <location line="+124"/>
        <source>Conversion finished</source>
        <translation>转换完成</translation>
    </message>
</context>
<context>
    <name>LabRunsModel</name>
    <message>
        <location filename="../../gui/models/lab_runs_model.py" line="+76"/>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A</source>
        <translation>A</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>B</source>
        <translation>B</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Link</source>
        <translation>链路</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>p50 A</source>
        <translation>p50 A</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>p50 B</source>
        <translation>p50 B</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Speed-up</source>
        <translation>加速比</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>failed</source>
        <translation>失败</translation>
    </message>
</context>
<context>
    <name>LabView</name>
    <message>
        <location filename="../../gui/views/lab_view.py" line="+67"/>
        <location line="+188"/>
        <source>Cold-start lab</source>
        <translation>冷启动实验室</translation>
    </message>
    <message>
        <location line="-182"/>
        <source>Comparison</source>
        <translation>对比</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Two functions</source>
        <translation>两个函数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Two images</source>
        <translation>两个镜像</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Compare:</source>
        <translation>对比：</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>A (baseline)</source>
        <translation>A（基准）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>B (accelerated)</source>
        <translation>B（加速）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A (baseline):</source>
        <translation>A（基准）：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>B (accelerated):</source>
        <translation>B（加速）：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Link profile</source>
        <translation>链路配置</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Bandwidth and round-trip time of the emulated link between the registry and the function.</source>
        <translation>镜像仓库与函数之间模拟链路的带宽和往返时延。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Link profile:</source>
        <translation>链路配置：</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Cold starts per side</source>
        <translation>每侧冷启动次数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cold starts each:</source>
        <translation>每侧冷启动次数：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>How the two sides run</source>
        <translation>两侧的运行方式</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Both at once (a race)</source>
        <translation>两者同时（比赛）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>One after the other</source>
        <translation>依次进行</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Both at once: A and B start cold at the same moment, each pulling over an emulated link of its own, as two nodes would. One after the other: each cold start has the machine to itself.</source>
        <translation>两者同时：A 和 B 同时冷启动，像两个节点一样各自通过独立的模拟链路拉取。依次进行：每次冷启动独占本机。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Run:</source>
        <translation>运行：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Run comparison</source>
        <translation>运行对比</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Lab progress</source>
        <translation>实验进度</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Comparison figures</source>
        <translation>对比数据</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>p50</source>
        <translation>p50</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>p95</source>
        <translation>p95</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Bytes fetched</source>
        <translation>拉取字节数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Share of image</source>
        <translation>占镜像比例</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>On-demand fetches</source>
        <translation>按需拉取次数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Fallbacks</source>
        <translation>回退次数</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>A</source>
        <translation>A</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>B</source>
        <translation>B</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>History</source>
        <translation>历史记录</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Export JSON…</source>
        <translation>导出 JSON…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export PNG…</source>
        <translation>导出 PNG…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Lab history</source>
        <translation>实验历史</translation>
    </message>
    <message>
        <location line="+139"/>
        <source>Choose both A and B.</source>
        <translation>请同时选择 A 和 B。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>A and B are the same; choose two different ones.</source>
        <translation>A 和 B 相同，请选择两个不同的对象。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Running: %1 vs %2</source>
        <translation>运行中：%1 对比 %2</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+7"/>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>%1 run %2: %3 %4</source>
        <translation>%1 第 %2 次：%3 %4</translation>
    </message>
    <message>
        <location line="+80"/>
        <source>%1 vs %2 — cancelled after %3 of %4 runs (the finished ones)</source>
        <translation>%1 对比 %2 — 在 %4 次中的第 %3 次后取消（已完成的部分）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 vs %2 — failed after %3 of %4 runs: %5</source>
        <translation>%1 对比 %2 — 在 %4 次中的第 %3 次后失败：%5</translation>
    </message>
    <message>
        <location line="-71"/>
        <source>Finished.</source>
        <translation>已完成。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>The comparison failed: %1</source>
        <translation>比较失败：%1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message numerus="yes">
        <location line="+9"/>
        <source>The %n run(s) that finished are kept in the history.</source>
        <translation>
            <numerusform>已完成的 %n 次运行保留在历史记录中。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+21"/>
        <source>No comparison yet: choose A and B and a link profile, then “Run comparison”.</source>
        <translation>尚无对比：请选择 A、B 和链路配置，然后点击“运行对比”。</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>%1 vs %2 — B starts about as fast as A (p50) over “%4”</source>
        <translation>%1 对比 %2 — 在“%4”上 B 与 A 的启动速度相当（p50）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 vs %2 — B starts %3× slower (p50) over “%4”</source>
        <translation>%1 对比 %2 — 在“%4”上 B 的启动慢 %3 倍（p50）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 vs %2 — B starts %3× faster (p50) over “%4”</source>
        <translation>%1 对比 %2 — 在“%4”上 B 的启动速度快 %3 倍（p50）</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>A: %1</source>
        <translation>A：%1</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>B: %1</source>
        <translation>B：%1</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Export run as JSON</source>
        <translation>将结果导出为 JSON</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Export run as PNG</source>
        <translation>将结果导出为 PNG</translation>
    </message>
    <message>
        <location line="+11"/>
        <location line="+6"/>
        <source>Exported</source>
        <translation>已导出</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
</context>
<context>
    <name>LabViewModel</name>
    <message>
        <location filename="../../gui/viewmodels/lab_vm.py" line="+181"/>
        <source>%1 and %2 start about as fast</source>
        <extracomment>A comparison that failed or was cancelled, with the runs that had finished (kept in the history, status &quot;failed&quot; or &quot;cancelled&quot;).</extracomment>
        <translation>%1 与 %2 的启动速度相当</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%2 starts %3× slower than %1</source>
        <translation>%2 的启动比 %1 慢 %3 倍</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%2 starts %3× faster than %1</source>
        <translation>%2 的启动比 %1 快 %3 倍</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Cold-start comparison finished</source>
        <translation>冷启动对比完成</translation>
    </message>
</context>
<context>
    <name>LinkProfile</name>
    <message>
        <location filename="../../gui/format.py" line="-17"/>
        <source>Unshaped</source>
        <translation>不限速</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Data center</source>
        <translation>数据中心</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Fast network</source>
        <translation>高速网络</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Broadband</source>
        <translation>宽带</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Slow network</source>
        <translation>低速网络</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../gui/main_window.py" line="-47"/>
        <source>Profile:</source>
        <translation>配置文件：</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+80"/>
        <source>Profile</source>
        <translation>配置文件</translation>
    </message>
    <message>
        <location line="-77"/>
        <source>Region:</source>
        <translation>地域：</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+76"/>
        <source>Region</source>
        <translation>地域</translation>
    </message>
    <message>
        <location line="-71"/>
        <source>Refresh (F5)</source>
        <translation>刷新 (F5)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Navigation</source>
        <translation>导航</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Functions</source>
        <translation>函数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Images</source>
        <translation>镜像</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cold-start lab</source>
        <translation>冷启动实验室</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tasks</source>
        <translation>任务</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Not started</source>
        <translation>未启动</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Connection</source>
        <translation>连接</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Live updates</source>
        <translation>实时更新</translation>
    </message>
    <message>
        <location line="+61"/>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location line="+183"/>
        <location line="+19"/>
        <source>local</source>
        <translation>本地</translation>
    </message>
    <message>
        <location line="-1"/>
        <source>Profile: %1</source>
        <translation>配置文件：%1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Region: %1</source>
        <translation>地域：%1</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Local server running</source>
        <translation>本地服务器运行中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Connected</source>
        <translation>已连接</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Starting the Local server…</source>
        <translation>正在启动本地服务器…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+17"/>
        <source>Stopping…</source>
        <translation>正在停止…</translation>
    </message>
    <message>
        <location line="-16"/>
        <location line="+1"/>
        <source>Not connected</source>
        <translation>未连接</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Waiting for a choice</source>
        <translation>等待选择</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Running (started by another fcdesk or fcaccel serve)</source>
        <translation>运行中（由另一个 fcdesk 或 fcaccel serve 启动）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>● live</source>
        <translation>● 实时</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>○ polling</source>
        <translation>○ 轮询</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Updates arrive from the server&apos;s event stream.</source>
        <translation>更新来自服务器的事件流。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Updates are polled.</source>
        <translation>通过轮询获取更新。</translation>
    </message>
    <message numerus="yes">
        <location line="+9"/>
        <source>%n job(s) running</source>
        <translation>
            <numerusform>%n 个作业运行中</numerusform>
        </translation>
    </message>
    <message>
        <location line="+44"/>
        <source>Function created</source>
        <translation>函数已创建</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Function updated</source>
        <translation>函数已更新</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 is being deployed…</source>
        <translation>正在部署 %1…</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>Delete function</source>
        <translation>删除函数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete the function “%1”?</source>
        <translation>确定删除函数“%1”？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This cannot be undone.</source>
        <translation>此操作无法撤销。</translation>
    </message>
</context>
<context>
    <name>Overview</name>
    <message>
        <location filename="../../gui/models/overview_model.py" line="+37"/>
        <source>Plain tag, twin exists</source>
        <extracomment>Filter value: rows with at least one problem.</extracomment>
        <translation>普通标签（存在加速版本）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Stale twin</source>
        <translation>加速版本已过期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Acceleration off</source>
        <translation>未开启加速</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Conversion failed</source>
        <translation>转换失败</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Never converted</source>
        <translation>从未转换</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Image unreadable</source>
        <translation>无法读取镜像</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Edition without acceleration</source>
        <translation>版本不支持加速</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Multi-architecture</source>
        <translation>多架构</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Image too large</source>
        <translation>镜像过大</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Index-only mode</source>
        <translation>仅索引模式</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Public address</source>
        <translation>公网地址</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>VPC not linked</source>
        <translation>VPC 未关联</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Other region</source>
        <translation>其他地域</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No acceleration registry</source>
        <translation>不支持加速的仓库</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Not redeployed</source>
        <translation>需要重新部署</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>access denied</source>
        <translation>访问被拒绝</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>not found</source>
        <translation>未找到</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>registry unreachable</source>
        <translation>无法访问镜像仓库</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>invalid reference</source>
        <translation>无效的地址</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>registry error</source>
        <translation>镜像仓库错误</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>stale</source>
        <translation>已过期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>converting</source>
        <translation>转换中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>source gone</source>
        <translation>源镜像已不存在</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
</context>
<context>
    <name>OverviewModel</name>
    <message>
        <location line="+102"/>
        <source>Function</source>
        <translation>函数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Profile</source>
        <translation>配置文件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Image</source>
        <translation>镜像</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Accelerated</source>
        <translation>已加速</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Twin</source>
        <translation>加速版本</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Problems</source>
        <translation>问题</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Since</source>
        <translation>起始时间</translation>
    </message>
    <message>
        <location line="+20"/>
        <location line="+141"/>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location line="-139"/>
        <location line="+139"/>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>no problems</source>
        <translation>无问题</translation>
    </message>
</context>
<context>
    <name>OverviewView</name>
    <message>
        <location filename="../../gui/viewmodels/overview_text.py" line="+29"/>
        <source>Function %1: change the image from %2 to %3 (UpdateFunction).</source>
        <translation>函数 %1：将镜像从 %2 更改为 %3（UpdateFunction）。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Switch image acceleration on for repository %1 (CreateArtifactBuildRule): tags pushed from now on are converted.</source>
        <translation>为仓库 %1 开启镜像加速（CreateArtifactBuildRule）：此后推送的标签都会被转换。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Convert %1:%2 into %1:%3 now, replacing the twin if there is one.</source>
        <translation>立即将 %1:%2 转换为 %1:%3，如已有加速版本则替换。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Redeploy function %1 with the same image %2, so that it starts the new twin.</source>
        <translation>使用同一镜像 %2 重新部署函数 %1，使其启动新的加速版本。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>By hand: push %1:%2 again; the registry converts it (no API converts a tag that exists).</source>
        <translation>手动：重新推送 %1:%2，镜像仓库会进行转换（没有可转换已有标签的 API）。</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Switch to the twin…</source>
        <translation>切换到加速版本…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Re-convert…</source>
        <translation>重新转换…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Switch acceleration on…</source>
        <translation>开启加速…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Convert now…</source>
        <translation>立即转换…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Use the VPC address…</source>
        <translation>使用 VPC 地址…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Redeploy…</source>
        <translation>重新部署…</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>an unknown time</source>
        <translation>未知时间</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Runs the plain tag %1 although its accelerated twin %2 exists (since %3): every cold start pulls the whole image.</source>
        <translation>尽管其加速版本 %2 已存在（自 %3 起），仍在运行普通标签 %1：每次冷启动都会拉取整个镜像。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Switching is not offered while the twin is %1.</source>
        <translation>加速版本处于“%1”状态时无法切换。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The accelerated image was converted from %1, but %2 now points at %3 (pushed %4): a cold start would run old code.</source>
        <translation>加速镜像由 %1 转换而来，但 %2 现在指向 %3（推送于 %4）：冷启动将运行旧代码。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>an older image</source>
        <translation>旧镜像</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Deployed with %1, but %2 now points at %3 (since %4): Function Compute runs the digest recorded at deployment, so the function fails until it is redeployed.</source>
        <translation>部署时使用的是 %1，但 %2 现在指向 %3（自 %4 起）：函数计算运行部署时记录的摘要，因此在重新部署之前函数会失败。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>No acceleration rule covers repository %1 (neither the repository nor its namespace): pushed images are not converted.</source>
        <translation>没有覆盖仓库 %1 的加速规则（仓库及其命名空间均无）：推送的镜像不会被转换。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Converting %1 failed: %2</source>
        <translation>转换 %1 失败：%2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>no reason given</source>
        <translation>未提供原因</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Acceleration is on, but %1 was pushed before it was switched on and has never been converted.</source>
        <translation>加速已开启，但 %1 是在开启前推送的，从未被转换。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>This profile cannot read %1: %2.</source>
        <translation>此配置文件无法读取 %1：%2。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>switch the function to the twin.</source>
        <translation>将函数切换到加速版。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>convert the tag again, then redeploy the function.</source>
        <translation>重新转换该标签，然后重新部署函数。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>switch acceleration on for the repository.</source>
        <translation>为仓库开启加速。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>remove what the reason names from the image, then convert again.</source>
        <translation>从镜像中去掉原因所指出的内容，然后重新转换。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>convert the tag (on Alibaba Cloud: push it again; tags pushed before the rule are not converted).</source>
        <translation>转换该标签（在阿里云上：重新推送；规则创建前推送的标签不会被转换）。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>check the image address and that this profile may read it.</source>
        <translation>检查镜像地址，并确认此配置文件有权读取它。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>use a Standard or Advanced instance (upgrade this one, or push the image to another).</source>
        <translation>使用标准版或高级版实例（升级此实例，或将镜像推送到其他实例）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>push a single-platform image (for example linux/amd64).</source>
        <translation>推送单平台镜像（例如 linux/amd64）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>make the image smaller, or use an Advanced instance (up to 10 GB).</source>
        <translation>缩小镜像，或使用高级版实例（最大 10 GB）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>switch the repository&apos;s acceleration to full mode in the Container Registry console, then push the tag again.</source>
        <translation>在容器镜像服务控制台将仓库的加速切换为完整模式，然后重新推送该标签。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>use the instance&apos;s VPC address for the image.</source>
        <translation>镜像使用实例的 VPC 地址。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>link the function&apos;s VPC to the instance (Container Registry console, Access Control, VPC).</source>
        <translation>将函数的 VPC 关联到实例（容器镜像服务控制台：访问控制 › 专有网络）。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>push the image to an instance in the function&apos;s region.</source>
        <translation>将镜像推送到函数所在地域的实例。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>push the image to a Container Registry Enterprise instance with acceleration on.</source>
        <translation>将镜像推送到已开启加速的容器镜像服务企业版实例。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>redeploy the function with the same image.</source>
        <translation>使用同一镜像重新部署函数。</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>The registry instance is a Basic edition, which has no image acceleration.</source>
        <translation>该镜像仓库实例为基础版，不支持镜像加速。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 is a multi-architecture image (an index): the registry does not convert those.</source>
        <translation>%1 是多架构镜像（索引）：镜像仓库不会转换此类镜像。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The image is %1 compressed; the %2 edition converts images of up to %3.</source>
        <translation>镜像压缩后为 %1；%2 版最多转换 %3 的镜像。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The repository converts in index-only mode, whose twins Function Compute cannot use.</source>
        <translation>该仓库以仅索引模式转换，其加速版无法被函数计算使用。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The function pulls through the instance&apos;s public address; functions pull through its VPC address (%1).</source>
        <translation>函数通过实例的公网地址拉取；函数应通过其 VPC 地址（%1）拉取。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The function&apos;s VPC %1 is not linked to the registry instance&apos;s VPC endpoint: the pull is refused.</source>
        <translation>函数的 VPC %1 未关联到镜像仓库实例的 VPC 接入点：拉取会被拒绝。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The image is in a registry instance in %1; the function runs in %2.</source>
        <translation>镜像位于 %1 的镜像仓库实例中；函数运行在 %2。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The image is in a Personal edition registry, which has no image acceleration.</source>
        <translation>镜像位于个人版镜像仓库，不支持镜像加速。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The image is not in a Container Registry Enterprise instance: nothing converts it.</source>
        <translation>镜像不在容器镜像服务企业版实例中：没有任何服务会转换它。</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/problem_card.py" line="+62"/>
        <source>What to do: %1</source>
        <translation>处理方法：%1</translation>
    </message>
    <message>
        <location filename="../../gui/views/overview_view.py" line="+164"/>
        <location line="+154"/>
        <source>Acceleration overview</source>
        <translation>加速概览</translation>
    </message>
    <message>
        <location line="-150"/>
        <source>Run overview</source>
        <translation>生成概览</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Inspect the chosen profiles and regions (F5)</source>
        <translation>检查所选配置文件和地域 (F5)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The rows shown, as CSV</source>
        <translation>以 CSV 格式导出显示的行</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export JSON…</source>
        <translation>导出 JSON…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The whole report, as JSON</source>
        <translation>以 JSON 格式导出完整报告</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Filter by function, image or problem</source>
        <translation>按函数、镜像或问题筛选</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All functions</source>
        <translation>全部函数</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+11"/>
        <source>With problems</source>
        <translation>有问题</translation>
    </message>
    <message>
        <location line="-6"/>
        <source>Profile</source>
        <translation>配置文件</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Overview progress</source>
        <translation>概览进度</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Profiles and regions</source>
        <translation>配置文件与地域</translation>
    </message>
    <message>
        <location line="-53"/>
        <location line="+54"/>
        <source>Profiles and regions to inspect</source>
        <translation>要检查的配置文件与地域</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Functions and their acceleration</source>
        <translation>函数及其加速状态</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="-437"/>
        <location filename="../../gui/views/overview_view.py" line="+67"/>
        <source>Overview</source>
        <translation>加速概览</translation>
    </message>
    <message>
        <location filename="../../gui/views/overview_view.py" line="+85"/>
        <source>Choose profiles and regions</source>
        <translation>选择配置文件与地域</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 profiles and regions</source>
        <translation>%1 个配置文件与地域</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Nothing chosen</source>
        <translation>未选择</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>All profiles</source>
        <translation>全部配置文件</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Could not inspect %1</source>
        <translation>无法检查 %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>(and %1 more)</source>
        <translation>（另有 %1 个）</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Inspecting functions…</source>
        <translation>正在检查函数…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Choose profiles and regions on the left, then run the overview.</source>
        <translation>请在左侧选择配置文件和地域，然后生成概览。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 of %2 function(s) shown, inspected %3</source>
        <translation>显示 %1 / %2 个函数，检查于 %3</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>could not inspect %1</source>
        <translation>无法检查 %1</translation>
    </message>
    <message>
        <location line="+66"/>
        <source>Converting %1… %2</source>
        <translation>正在转换 %1… %2</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Function %1 updated; waiting until it is ready…</source>
        <translation>函数 %1 已更新，正在等待就绪…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Acceleration switched on for %1</source>
        <translation>已为 %1 开启加速</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Conversion of %1 queued</source>
        <translation>%1 的转换已加入队列</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Fixed</source>
        <translation>已修复</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Fix failed</source>
        <translation>修复失败</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Export CSV</source>
        <translation>导出 CSV</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Export JSON</source>
        <translation>导出 JSON</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Exported</source>
        <translation>已导出</translation>
    </message>
</context>
<context>
    <name>Palette</name>
    <message>
        <location filename="../../gui/palette.py" line="+111"/>
        <source>Function · %1</source>
        <translation>函数 · %1</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Open Functions</source>
        <translation>打开函数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open Images</source>
        <translation>打开镜像</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open Cold-start lab</source>
        <translation>打开冷启动实验室</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open Tasks</source>
        <translation>打开任务</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open Settings</source>
        <translation>打开设置</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open Overview</source>
        <translation>打开概览</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open Demo mode</source>
        <translation>打开演示模式</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Create function…</source>
        <translation>创建函数…</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Compare %1 in the lab</source>
        <translation>在实验室中比较 %1</translation>
    </message>
    <message>
        <location line="+131"/>
        <location line="+42"/>
        <source>Could not open %1</source>
        <translation>无法打开 %1</translation>
    </message>
    <message>
        <location line="-40"/>
        <source>Connecting to %1 failed: %2</source>
        <translation>连接 %1 失败：%2</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>%1 does not list it (any more).</source>
        <translation>%1 中已找不到它。</translation>
    </message>
    <message>
        <location line="-228"/>
        <location line="+64"/>
        <source>Repository · %1</source>
        <translation>仓库 · %1</translation>
    </message>
    <message>
        <location line="-55"/>
        <location line="+65"/>
        <source>Tag · %1</source>
        <translation>标签 · %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Convert %1 into %2</source>
        <translation>将 %1 转换为 %2</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Task %1 · %2</source>
        <translation>任务 %1 · %2</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Switch to profile %1</source>
        <translation>切换到配置文件 %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Profile</source>
        <translation>配置文件</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>%1 can be converted once the console is connected.</source>
        <translation>连接后即可转换 %1。</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>%1 opens once the console is connected.</source>
        <translation>连接后将打开 %1。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Not connected</source>
        <translation>未连接</translation>
    </message>
</context>
<context>
    <name>PaletteDialog</name>
    <message>
        <location filename="../../gui/dialogs/palette_dialog.py" line="+42"/>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Function</source>
        <translation>函数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Repository</source>
        <translation>仓库</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tag</source>
        <translation>标签</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Profile</source>
        <translation>配置文件</translation>
    </message>
    <message>
        <location line="+76"/>
        <location line="+14"/>
        <source>Find anything</source>
        <translation>查找任何内容</translation>
    </message>
    <message>
        <location line="-2"/>
        <source>Functions, repositories, tags, tasks, actions… (Esc closes)</source>
        <translation>函数、仓库、标签、任务、操作…（Esc 关闭）</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Results</source>
        <translation>结果</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>%1 of %2 — ↑↓ choose, Enter opens, Esc closes</source>
        <translation>%2 项中的 %1 项 — ↑↓ 选择，Enter 打开，Esc 关闭</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 items — type a few letters</source>
        <translation>%1 项 — 输入几个字母</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>reading every repository&apos;s tags…</source>
        <translation>正在读取所有仓库的标签…</translation>
    </message>
</context>
<context>
    <name>Phase</name>
    <message>
        <location filename="../../gui/format.py" line="-17"/>
        <source>resolve</source>
        <translation>解析</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>pull</source>
        <translation>拉取</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>unpack</source>
        <translation>解压</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>mount</source>
        <translation>挂载</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>start</source>
        <translation>启动</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>first-invoke</source>
        <translation>首次调用</translation>
    </message>
</context>
<context>
    <name>PriorityFileDialog</name>
    <message>
        <location filename="../../gui/dialogs/priority_file_dialog.py" line="+42"/>
        <source>Set the prefetch list</source>
        <translation>设置预取列表</translation>
    </message>
    <message numerus="yes">
        <location line="+6"/>
        <source>The acceleration rule of &lt;b&gt;%1&lt;/b&gt; will prefetch these %n file(s) first (PriorityFile):</source>
        <translation>
            <numerusform>&lt;b&gt;%1&lt;/b&gt; 的加速规则将优先预取以下 %n 个文件（PriorityFile）：</numerusform>
        </translation>
    </message>
    <message>
        <location line="+11"/>
        <source>From %1</source>
        <translation>来源：%1</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Files to prefetch</source>
        <translation>要预取的文件</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The current rule is replaced: it is deleted and created again with the same settings and this list (a rule cannot be changed in place).</source>
        <translation>当前规则将被替换：以相同设置和此列表删除后重新创建（规则无法就地修改）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Acceleration is off for this repository: this switches it on.</source>
        <translation>该仓库的加速已关闭：此操作会将其开启。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Tags pushed afterwards are converted with it; existing tags need a new conversion.</source>
        <translation>之后推送的标签将使用此列表转换；已有标签需要重新转换。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Set prefetch list</source>
        <translation>设置预取列表</translation>
    </message>
</context>
<context>
    <name>ProfileDialog</name>
    <message>
        <location filename="../../gui/dialogs/profile_dialog.py" line="+99"/>
        <source>Add Alibaba Cloud profile</source>
        <translation>添加阿里云配置文件</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Add OCI registry profile</source>
        <translation>添加 OCI 镜像仓库配置文件</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Profile name</source>
        <translation>配置文件名称</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Profile name:</source>
        <translation>配置文件名称：</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Region</source>
        <translation>地域</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Region:</source>
        <translation>地域：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>for the invoke endpoint (optional)</source>
        <translation>用于调用端点（可选）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Account id</source>
        <translation>账号 ID</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Account id:</source>
        <translation>账号 ID：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>AccessKey stored securely</source>
        <translation>安全存储的 AccessKey</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Environment variables</source>
        <translation>环境变量</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>aliyun CLI profile</source>
        <translation>aliyun CLI 配置</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Credential source</source>
        <translation>凭证来源</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Credentials:</source>
        <translation>凭证：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>AccessKey id</source>
        <translation>AccessKey ID</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>AccessKey id:</source>
        <translation>AccessKey ID：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>AccessKey secret</source>
        <translation>AccessKey Secret</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>AccessKey secret:</source>
        <translation>AccessKey Secret：</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>ACR instance id</source>
        <translation>ACR 实例 ID</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ACR instance (optional):</source>
        <translation>ACR 实例（可选）：</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Registry URL</source>
        <translation>镜像仓库 URL</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Registry URL:</source>
        <translation>镜像仓库 URL：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>User name:</source>
        <translation>用户名：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Password or token</source>
        <translation>密码或令牌</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Password or token:</source>
        <translation>密码或令牌：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Allow plain HTTP / unverified TLS</source>
        <translation>允许明文 HTTP / 未验证的 TLS</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Secrets are kept in the system keyring (or the store you chose in Settings), never in the settings file. The credentials are checked with the service before the profile is saved.</source>
        <translation>密钥保存在系统密钥环（或您在设置中选择的存储）中，绝不写入设置文件。保存配置文件前会向服务验证凭据。</translation>
    </message>
    <message>
        <location line="+17"/>
        <location line="+83"/>
        <source>Check and save</source>
        <translation>验证并保存</translation>
    </message>
    <message>
        <location line="-82"/>
        <source>Save without checking</source>
        <translation>不验证直接保存</translation>
    </message>
    <message>
        <location line="+72"/>
        <source>Enter the AccessKey secret.</source>
        <translation>请输入 AccessKey Secret。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Checking…</source>
        <translation>正在验证…</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Profile names have 1–64 letters, digits, spaces or ._@+- characters.</source>
        <translation>配置文件名称由 1–64 个字母、数字、空格或 ._@+- 字符组成。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>“Local” is reserved; choose another name.</source>
        <translation>“Local”为保留名称，请选择其他名称。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A profile with this name exists; choose another name.</source>
        <translation>已存在同名配置文件，请换一个名称。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter a region id such as cn-hangzhou.</source>
        <translation>请输入地域 ID，例如 cn-hangzhou。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The account id has digits only.</source>
        <translation>账号 ID 只包含数字。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter the AccessKey id.</source>
        <translation>请输入 AccessKey ID。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter an http(s) URL.</source>
        <translation>请输入 http(s) URL。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ACR instance ids look like cri-xxxx.</source>
        <translation>ACR 实例 ID 形如 cri-xxxx。</translation>
    </message>
</context>
<context>
    <name>PushDialog</name>
    <message>
        <location filename="../../gui/dialogs/push_dialog.py" line="+90"/>
        <source>Push an image into %1</source>
        <translation>将镜像推送到 %1</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Push with any of these commands (from a saved image archive, a local podman image, or directories as layers). With acceleration on for this repository, the tag is converted into its _accelerated twin as soon as it arrives.</source>
        <translation>使用以下任一命令推送（来自已保存的镜像归档、本地 podman 镜像，或作为层的目录）。若此仓库已开启加速，标签一到达就会被转换为其 _accelerated 版本。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Tag:</source>
        <translation>标签：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Tag to push</source>
        <translation>要推送的标签</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Copy the %1 command</source>
        <translation>复制 %1 命令</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Log in with the registry user name and password set for this instance (Container Registry console › Access credentials); the tools ask for the password.</source>
        <translation>使用为此实例设置的镜像仓库用户名和密码登录（容器镜像服务控制台 › 访问凭证）；工具会提示输入密码。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The commands carry this registry&apos;s login; the secret is masked here and included when you copy a command.</source>
        <translation>这些命令带有此镜像仓库的登录信息；密钥在此处被遮盖，复制命令时会包含在内。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Copied</source>
        <translation>已复制</translation>
    </message>
</context>
<context>
    <name>RaceChart</name>
    <message>
        <location filename="../../gui/widgets/race_chart.py" line="+53"/>
        <source>Cold-start race</source>
        <translation>冷启动竞速</translation>
    </message>
</context>
<context>
    <name>RepositoriesModel</name>
    <message>
        <location filename="../../gui/models/repositories_model.py" line="+52"/>
        <source>Repository</source>
        <translation>仓库</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Acceleration</source>
        <translation>加速</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Modified</source>
        <translation>修改时间</translation>
    </message>
    <message>
        <location line="+18"/>
        <location line="+7"/>
        <source>…</source>
        <translation>…</translation>
    </message>
    <message>
        <location line="-6"/>
        <location line="+7"/>
        <source>On</source>
        <translation>开启</translation>
    </message>
    <message>
        <location line="-7"/>
        <location line="+7"/>
        <source>Off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Public</source>
        <translation>公开</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Private</source>
        <translation>私有</translation>
    </message>
</context>
<context>
    <name>RunsChart</name>
    <message>
        <location filename="../../gui/widgets/timeline_chart.py" line="+177"/>
        <source>Cold-start time per run</source>
        <translation>每次运行的冷启动时间</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Total per run (ms)</source>
        <translation>每次运行总计 (ms)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A</source>
        <translation>A</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>B</source>
        <translation>B</translation>
    </message>
</context>
<context>
    <name>SecretChoiceDialog</name>
    <message>
        <location filename="../../gui/app.py" line="+91"/>
        <source>No system keyring</source>
        <translation>没有系统密钥环</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>This computer has no system keyring, so fcdesk cannot store secrets (the Local server&apos;s AccessKey, cloud AccessKeys, registry passwords) safely by default.

Keep them in a file only you can read (mode 0600), or keep them for this session only?</source>
        <translation>此计算机没有系统密钥环，因此 fcdesk 默认无法安全地存储密钥（本地服务器的 AccessKey、云端 AccessKey、镜像仓库密码）。

要将它们保存在只有您能读取的文件中（权限 0600），还是仅在本次会话中保留？</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Use a private file</source>
        <translation>使用私有文件</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This session only</source>
        <translation>仅本次会话</translation>
    </message>
</context>
<context>
    <name>SeedBanner</name>
    <message>
        <location filename="../../gui/widgets/seed_banner.py" line="+123"/>
        <source>Demo preparation progress</source>
        <translation>演示准备进度</translation>
    </message>
    <message>
        <location line="+13"/>
        <location line="+1"/>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>SeedStatus</name>
    <message>
        <location filename="../../gui/viewmodels/seed_vm.py" line="+54"/>
        <source>building the small image</source>
        <translation>正在构建小型镜像</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>building the image</source>
        <translation>正在构建镜像</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>converting</source>
        <translation>正在转换</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>converting for on-demand loading</source>
        <translation>正在转换为按需加载格式</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>recording the start-up profile</source>
        <translation>正在记录启动时读取的文件</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>converting in start-up order</source>
        <translation>正在按启动读取顺序转换</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>switching the demo functions</source>
        <translation>正在切换演示函数</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location line="+126"/>
        <source>Preparing the realistic demo image…</source>
        <translation>正在准备真实场景演示镜像…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Seeding the demo…</source>
        <translation>正在创建演示…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The realistic demo image is ready</source>
        <translation>真实场景演示镜像已就绪</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The demo is ready</source>
        <translation>演示已就绪</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The realistic demo image could not be prepared</source>
        <translation>无法准备真实场景演示镜像</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The demo could not be seeded</source>
        <translation>无法创建演示</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Realistic demo ready</source>
        <translation>真实场景演示已就绪</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Demo ready</source>
        <translation>演示已就绪</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Realistic demo image failed</source>
        <translation>真实场景演示镜像创建失败</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Demo seeding failed</source>
        <translation>演示创建失败</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>step %1 of %2 (%3)</source>
        <translation>第 %1/%2 步（%3）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>%1 of %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>%1 and %2 run the small image %3 until %4 is ready, then switch to it by themselves. On the small image acceleration has little to save; compare cold starts once the switch is done.</source>
        <translation>在 %4 就绪之前，%1 和 %2 运行小型镜像 %3，就绪后会自动切换。小型镜像几乎无法体现加速效果，请在切换完成后再对比冷启动。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>The Local server is creating %1 and the functions %2 and %3.</source>
        <translation>本地服务器正在创建 %1 以及函数 %2 和 %3。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>no reason given</source>
        <translation>未提供原因</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The small demo still works: %1 and %2 keep running %3, on which acceleration has little to save. Restarting the Local server tries again.</source>
        <translation>小型演示仍可使用：%1 和 %2 继续运行 %3，但该镜像几乎无法体现加速效果。重启本地服务器会重试。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Your own functions and images are not affected. Restarting the Local server tries again.</source>
        <translation>您自己的函数和镜像不受影响。重启本地服务器会重试。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Reason: %1</source>
        <translation>原因：%1</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1 and %2 now run %3, an image worth accelerating: compare their cold starts in the Cold-start lab.</source>
        <translation>%1 和 %2 现在运行 %3，这是一个值得加速的镜像：请在冷启动实验室中对比它们的冷启动。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>%1 and %2 run %3.</source>
        <translation>%1 和 %2 运行 %3。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The demo functions switch to the realistic image %1 when it is ready. Until then they run the small image %2, on which acceleration has little to save.</source>
        <translation>真实场景镜像 %1 就绪后，演示函数会切换到该镜像。在此之前它们运行小型镜像 %2，几乎无法体现加速效果。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Preparing it: step %1 of %2.</source>
        <translation>正在准备：第 %1/%2 步。</translation>
    </message>
</context>
<context>
    <name>SeedStatusIndicator</name>
    <message>
        <location filename="../../gui/widgets/seed_banner.py" line="-69"/>
        <source>Demo preparation progress</source>
        <translation>演示准备进度</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Preparing the realistic demo</source>
        <translation>正在准备真实场景演示</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Seeding the demo</source>
        <translation>正在创建演示</translation>
    </message>
</context>
<context>
    <name>SettingsView</name>
    <message>
        <location filename="../../gui/views/settings_view.py" line="+54"/>
        <location line="+135"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location line="-130"/>
        <location line="+3"/>
        <source>Profiles</source>
        <translation>配置文件</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Add Alibaba Cloud…</source>
        <translation>添加阿里云…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add OCI registry…</source>
        <translation>添加 OCI 镜像仓库…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Switch to</source>
        <translation>切换到</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Make default</source>
        <translation>设为默认</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Secrets</source>
        <translation>密钥</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>System keyring (recommended)</source>
        <translation>系统密钥环（推荐）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A file readable only by you (mode 0600) in the configuration folder</source>
        <translation>配置目录中仅您可读的文件（权限 0600）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Keep secrets for this session only (enter them again next time)</source>
        <translation>仅在本次会话中保留密钥（下次需重新输入）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Appearance</source>
        <translation>外观</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>System language</source>
        <translation>系统语言</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Language:</source>
        <translation>语言：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Theme</source>
        <translation>主题</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Theme:</source>
        <translation>主题：</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+113"/>
        <source>Local server</source>
        <translation>本地服务器</translation>
    </message>
    <message>
        <location line="-109"/>
        <source>Data directory</source>
        <translation>数据目录</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Set with --data-dir when fcdesk was started (for this session only).</source>
        <translation>由启动 fcdesk 时的 --data-dir 指定（仅限本次会话）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Data directory:</source>
        <translation>数据目录：</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>any free port</source>
        <translation>任意空闲端口</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Port</source>
        <translation>端口</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Port:</source>
        <translation>端口：</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Restart server</source>
        <translation>重启服务器</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>State:</source>
        <translation>状态：</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>fcdesk %1 — Function Compute and image acceleration console</source>
        <translation>fcdesk %1 — 函数计算与镜像加速控制台</translation>
    </message>
    <message>
        <location line="+55"/>
        <source>A system keyring is available.</source>
        <translation>系统密钥环可用。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No system keyring is available on this computer. Choose where secrets go: a private file, or this session only.</source>
        <translation>此计算机上没有可用的系统密钥环。请选择密钥的保存方式：私有文件，或仅本次会话。</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Alibaba Cloud</source>
        <translation>阿里云</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>OCI registry</source>
        <translation>OCI 镜像仓库</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>default</source>
        <translation>默认</translation>
    </message>
    <message>
        <location line="+58"/>
        <source>Remove profile</source>
        <translation>移除配置文件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove the profile “%1” and its stored secrets?</source>
        <translation>移除配置文件“%1”及其存储的密钥？</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>The language changes after a restart.</source>
        <translation>语言将在重启后更改。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Local server data directory</source>
        <translation>本地服务器数据目录</translation>
    </message>
</context>
<context>
    <name>TagsModel</name>
    <message>
        <location filename="../../gui/models/tags_model.py" line="+369"/>
        <source>Tag</source>
        <translation>标签</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Twin</source>
        <translation>加速版本</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Acceleration</source>
        <translation>加速</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Updated</source>
        <translation>更新时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Digest</source>
        <translation>摘要</translation>
    </message>
    <message>
        <location line="+54"/>
        <source>source: %1</source>
        <translation>源镜像：%1</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Accelerated image</source>
        <translation>加速镜像</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Converting</source>
        <translation>转换中</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Converting %1%</source>
        <translation>转换中 %1%</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>None</source>
        <translation>无</translation>
    </message>
</context>
<context>
    <name>TasksModel</name>
    <message>
        <location filename="../../gui/models/tasks_model.py" line="+64"/>
        <source>Image</source>
        <translation>镜像</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Progress</source>
        <translation>进度</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Started</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Pending</source>
        <translation>等待中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Building</source>
        <translation>构建中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Succeeded</source>
        <translation>成功</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
</context>
<context>
    <name>TasksView</name>
    <message>
        <location filename="../../gui/views/tasks_view.py" line="+63"/>
        <location line="+20"/>
        <source>Conversion tasks</source>
        <translation>转换任务</translation>
    </message>
    <message>
        <location line="-16"/>
        <source>Running only</source>
        <translation>仅显示运行中</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cancel task</source>
        <translation>取消任务</translation>
    </message>
    <message>
        <location line="+37"/>
        <location line="+73"/>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <location line="-66"/>
        <source>Task log</source>
        <translation>任务日志</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Select a task to follow its log.</source>
        <translation>选择任务以查看其日志。</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+82"/>
        <source>No conversion tasks. Switch image acceleration on for a repository in Images; each pushed tag then converts here.</source>
        <translation>没有转换任务。在镜像页面为仓库开启镜像加速后，每个推送的标签都会在此转换。</translation>
    </message>
    <message>
        <location line="-61"/>
        <source>Tasks</source>
        <translation>任务</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Log of %1</source>
        <translation>%1 的日志</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>This profile cannot list conversion tasks. Each tag&apos;s conversion state and progress is shown next to it in Images.</source>
        <translation>此配置文件无法列出转换任务。每个标签的转换状态和进度显示在“镜像”中该标签旁边。</translation>
    </message>
</context>
<context>
    <name>TasksViewModel</name>
    <message>
        <location filename="../../gui/viewmodels/tasks_vm.py" line="+79"/>
        <source>Optimized conversion finished</source>
        <translation>优化转换已完成</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1, start-up files first</source>
        <translation>%1（启动时读取的文件在最前）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Conversion finished</source>
        <translation>转换完成</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Conversion failed</source>
        <translation>转换失败</translation>
    </message>
</context>
<context>
    <name>TimelineChart</name>
    <message>
        <location filename="../../gui/widgets/timeline_chart.py" line="-111"/>
        <source>Cold-start timelines</source>
        <extracomment>Events after which a chart takes the colours of the theme now in effect. With the application&apos;s style sheet, a theme change reaches shown widgets as PaletteChange or StyleChange, not as ApplicationPaletteChange (the charts stayed white in the dark theme).</extracomment>
        <translation>冷启动时间线</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A</source>
        <translation>A</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>B</source>
        <translation>B</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Cold-start phases (ms)</source>
        <translation>冷启动阶段 (ms)</translation>
    </message>
</context>
<context>
    <name>Toast</name>
    <message>
        <location filename="../../gui/widgets/toast.py" line="+59"/>
        <source>Dismiss notification</source>
        <translation>关闭通知</translation>
    </message>
</context>
<context>
    <name>WhyPanel</name>
    <message>
        <location filename="../../gui/widgets/why_panel.py" line="+40"/>
        <source>Checking why…</source>
        <translation>正在检查原因…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Could not check: %1</source>
        <translation>无法检查：%1</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Nothing stands in the way of acceleration.</source>
        <translation>没有任何因素妨碍加速。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Its accelerated twin is being converted.</source>
        <translation>其加速版正在转换中。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No problem found.</source>
        <translation>未发现问题。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Accelerated twin ready, but:</source>
        <translation>加速版已就绪，但是：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not accelerated, because:</source>
        <translation>未加速，原因如下：</translation>
    </message>
</context>
<context>
    <name>_DetailPanel</name>
    <message>
        <location filename="../../gui/views/overview_view.py" line="-572"/>
        <source>Function details</source>
        <translation>函数详情</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Select a function to see what is wrong and how to fix it.</source>
        <translation>选择一个函数以查看问题及修复方法。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Image</source>
        <translation>镜像</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Runs accelerated image</source>
        <translation>运行加速镜像</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Twin</source>
        <translation>加速版本</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Acceleration</source>
        <translation>加速</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>on</source>
        <translation>开启</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Function state</source>
        <translation>函数状态</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>No problem found</source>
        <translation>未发现问题</translation>
    </message>
</context>
</TS>
