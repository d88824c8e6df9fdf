<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP" sourcelanguage="en">
<context>
    <name>Breadcrumbs</name>
    <message>
        <location filename="../../gui/widgets/breadcrumbs.py" line="+19"/>
        <source>Breadcrumbs</source>
        <translation>パンくずリスト</translation>
    </message>
</context>
<context>
    <name>DemoStage</name>
    <message>
        <location filename="../../gui/views/demo_view.py" line="+76"/>
        <source>Cold-start demo</source>
        <translation>コールドスタートのデモ</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Cold start: plain image vs accelerated image</source>
        <translation>コールドスタート：通常イメージ vs 高速化イメージ</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Space start · S race or one after the other · N next run · R reset · L last lab comparison · O open… · E PNG · X frames · F full screen · Esc leave</source>
        <translation>Space 開始 · S 同時／順番の切替 · N 次の実行 · R リセット · L 最新のラボ比較 · O 開く… · E PNG · X フレーム · F 全画面 · Esc 終了</translation>
    </message>
    <message>
        <location line="+61"/>
        <source>both at once, each over its own link</source>
        <translation>両方同時、それぞれ専用の回線</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>one after the other</source>
        <translation>順番に</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Replay of the comparison of %1 · run %2 of %3 · link %4 · %5</source>
        <translation>%1 の比較の再生 · 実行 %2/%3 · 回線 %4 · %5</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Live on the Local server · link %1 · %2</source>
        <translation>ローカルサーバーでライブ実行 · 回線 %1 · %2</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Space: race the demo functions live (%1; S changes it) · L: replay the lab&apos;s last comparison</source>
        <translation>Space: デモ関数をライブで競争（%1。S で切り替え）· L: ラボの最新の比較を再生</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1× faster</source>
        <translation>%1 倍高速</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1× slower</source>
        <translation>%1 倍遅い</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>%1: answered after %2 s</source>
        <translation>%1：%2 秒で応答</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Bytes fetched: %1 vs %2</source>
        <translation>取得バイト数：%1 vs %2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source> — %1 % of the image</source>
        <translation> — イメージの %1 %</translation>
    </message>
    <message>
        <location line="+3"/>
        <source> · p50 over %1 runs: %2×</source>
        <translation> · %1 回の p50：%2 倍</translation>
    </message>
</context>
<context>
    <name>DemoView</name>
    <message>
        <location filename="../../gui/main_window.py" line="+187"/>
        <location filename="../../gui/views/demo_view.py" line="+94"/>
        <source>Demo mode</source>
        <translation>デモモード</translation>
    </message>
    <message>
        <location filename="../../gui/views/demo_view.py" line="+21"/>
        <source>Open a saved comparison</source>
        <translation>保存した比較を開く</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Export PNG</source>
        <translation>PNG をエクスポート</translation>
    </message>
    <message>
        <location line="+32"/>
        <location line="+9"/>
        <source>Export failed</source>
        <translation>エクスポートに失敗しました</translation>
    </message>
    <message>
        <location line="-6"/>
        <location line="+10"/>
        <source>Exported</source>
        <translation>エクスポートしました</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 frames and an animated PNG in %2</source>
        <translation>%1 枚のフレームとアニメーション PNG を %2 に保存しました</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Export frames into</source>
        <translation>フレームの保存先</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>fcdesk — demo</source>
        <translation>fcdesk — デモ</translation>
    </message>
</context>
<context>
    <name>DemoViewModel</name>
    <message>
        <location filename="../../gui/viewmodels/demo_vm.py" line="+186"/>
        <location line="+154"/>
        <location line="+10"/>
        <source>Plain image</source>
        <translation>通常イメージ</translation>
    </message>
    <message>
        <location line="-163"/>
        <location line="+154"/>
        <location line="+10"/>
        <source>Accelerated image</source>
        <translation>高速化イメージ</translation>
    </message>
    <message>
        <location line="-26"/>
        <source>The lab has no finished comparison yet.</source>
        <translation>ラボにはまだ完了した比較がありません。</translation>
    </message>
    <message>
        <location line="+90"/>
        <source>fetched %1</source>
        <translation>取得 %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source> of %1 (%2 %)</source>
        <translation> / %1（%2 %）</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The Local server is not running yet (see the status bar): press Space again once it is.</source>
        <translation>ローカルサーバーはまだ起動していません（ステータスバーを参照）。起動したらもう一度 Space を押してください。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Demo mode runs on the Local profile (no account needed): switch to it first.</source>
        <translation>デモモードはローカルプロファイルで動作します（アカウント不要）。先にローカルに切り替えてください。</translation>
    </message>
</context>
<context>
    <name>DiffModel</name>
    <message>
        <location filename="../../gui/models/diff_model.py" line="+174"/>
        <source>Change</source>
        <translation>変更</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Path</source>
        <translation>パス</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+98"/>
        <source>Before</source>
        <translation>変更前</translation>
    </message>
    <message>
        <location line="-97"/>
        <location line="+97"/>
        <source>After</source>
        <translation>変更後</translation>
    </message>
    <message>
        <location line="-96"/>
        <source>Size change</source>
        <translation>サイズの増減</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>What changed</source>
        <translation>変更内容</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>added</source>
        <translation>追加</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>removed</source>
        <translation>削除</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>changed</source>
        <translation>変更</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>directory</source>
        <translation>ディレクトリ</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>content</source>
        <translation>内容</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>size</source>
        <translation>サイズ</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>kind %1 → %2</source>
        <translation>種類 %1 → %2</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>mode %1 → %2</source>
        <translation>モード %1 → %2</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>owner %1 → %2</source>
        <translation>所有者 %1 → %2</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>target %1 → %2</source>
        <translation>リンク先 %1 → %2</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>%1: from layer %2</source>
        <translation>%1：レイヤー %2 から</translation>
    </message>
</context>
<context>
    <name>EnvEditor</name>
    <message>
        <location filename="../../gui/widgets/env_editor.py" line="+31"/>
        <location line="+10"/>
        <source>Environment variables</source>
        <translation>環境変数</translation>
    </message>
    <message>
        <location line="-6"/>
        <source>Name</source>
        <translation>名前</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Value</source>
        <translation>値</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Add variable</source>
        <translation>変数を追加</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Remove</source>
        <translation>削除</translation>
    </message>
    <message>
        <location line="+53"/>
        <source>“%1” is not a valid variable name</source>
        <translation>「%1」は有効な変数名ではありません</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>“%1” is set twice</source>
        <translation>「%1」が二重に設定されています</translation>
    </message>
</context>
<context>
    <name>ErrorPresenter</name>
    <message>
        <location filename="../../gui/errors.py" line="+59"/>
        <source>The function does not exist (any more).</source>
        <translation>関数が存在しません（削除された可能性があります）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refresh the list; someone may have deleted it.</source>
        <translation>一覧を更新してください。他のユーザーが削除した可能性があります。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>A function with this name already exists.</source>
        <translation>この名前の関数は既に存在します。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose another name, or edit the existing function.</source>
        <translation>別の名前を選ぶか、既存の関数を編集してください。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Another update of this function is still in progress.</source>
        <translation>この関数の別の更新がまだ進行中です。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Wait until its last update has finished, then try again.</source>
        <translation>直前の更新が完了してから、もう一度お試しください。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The service refused a value.</source>
        <translation>サービスが値を受け付けませんでした。</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+7"/>
        <source>Access denied.</source>
        <translation>アクセスが拒否されました。</translation>
    </message>
    <message>
        <location line="-6"/>
        <location line="+7"/>
        <source>The AccessKey in this profile lacks the permission; check its RAM policy.</source>
        <translation>このプロファイルの AccessKey には権限がありません。RAM ポリシーを確認してください。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The AccessKey ID is not valid.</source>
        <translation>AccessKey ID が無効です。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open Settings › Profiles and enter a valid AccessKey.</source>
        <translation>「設定」›「プロファイル」 を開き、有効な AccessKey を入力してください。</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+100"/>
        <source>The service rejected the request signature.</source>
        <translation>サービスがリクエストの署名を拒否しました。</translation>
    </message>
    <message>
        <location line="-99"/>
        <source>The AccessKey secret is probably wrong, or this computer&apos;s clock is off.</source>
        <translation>AccessKey Secret が間違っているか、このコンピューターの時計がずれている可能性があります。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>No system keyring is available to store secrets.</source>
        <translation>シークレットを保存できるシステムキーリングがありません。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open Settings › Profiles and choose a protected file store, or enter the secret each session.</source>
        <translation>「設定」›「プロファイル」 を開いて保護されたファイルへの保存を選ぶか、セッションごとにシークレットを入力してください。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The function is at its concurrency limit.</source>
        <translation>関数が同時実行数の上限に達しています。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Retry in a moment or raise the function&apos;s instance concurrency.</source>
        <translation>しばらくしてから再試行するか、関数のインスタンス同時実行数を増やしてください。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The service is busy.</source>
        <translation>サービスが混み合っています。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Retry in a moment.</source>
        <translation>しばらくしてから再試行してください。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Too many requests.</source>
        <translation>リクエストが多すぎます。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>fcdesk slows down and retries; try again shortly.</source>
        <translation>fcdesk は間隔を空けて再試行します。少し待ってからもう一度お試しください。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The container exited before it was ready.</source>
        <translation>コンテナが準備完了前に終了しました。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Check the image&apos;s entrypoint, command and port, and the log tail.</source>
        <translation>イメージのエントリポイント、コマンド、ポート、およびログの末尾を確認してください。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The container did not start listening.</source>
        <translation>コンテナが待ち受けを開始しませんでした。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The server in the image must listen on 0.0.0.0 and the function&apos;s port.</source>
        <translation>イメージ内のサーバーは 0.0.0.0 と関数のポートで待ち受ける必要があります。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The registry instance does not exist.</source>
        <translation>レジストリインスタンスが存在しません。</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+4"/>
        <location line="+4"/>
        <source>Refresh the list.</source>
        <translation>一覧を更新してください。</translation>
    </message>
    <message>
        <location line="-5"/>
        <source>The namespace does not exist.</source>
        <translation>名前空間が存在しません。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The repository does not exist.</source>
        <translation>リポジトリが存在しません。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>This registry edition cannot accelerate images.</source>
        <translation>このレジストリのエディションはイメージアクセラレーションに対応していません。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Image acceleration needs a Standard or Advanced Enterprise instance.</source>
        <translation>イメージアクセラレーションには Enterprise Edition の Standard または Advanced インスタンスが必要です。</translation>
    </message>
    <message>
        <location line="+26"/>
        <location line="+155"/>
        <source>Request failed</source>
        <translation>リクエストに失敗しました</translation>
    </message>
    <message>
        <location line="-148"/>
        <source>Credentials</source>
        <translation>認証情報</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The profile&apos;s credentials are missing or cannot be used.</source>
        <translation>プロファイルの認証情報がないか、使用できません。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Open Settings › Profiles to enter or fix them.</source>
        <translation>「設定」›「プロファイル」 を開いて入力または修正してください。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Signature refused</source>
        <translation>署名が拒否されました</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Check the AccessKey secret and this computer&apos;s clock.</source>
        <translation>AccessKey Secret とこのコンピューターの時計を確認してください。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Slow down</source>
        <translation>リクエストを抑えてください</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The service is throttling requests.</source>
        <translation>サービスがリクエストを制限しています。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Wait a moment and try again.</source>
        <translation>少し待ってからもう一度お試しください。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Not found</source>
        <translation>見つかりません</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The item no longer exists.</source>
        <translation>この項目はもう存在しません。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refresh the view.</source>
        <translation>表示を更新してください。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Registry login failed</source>
        <translation>レジストリへのログインに失敗しました</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The registry refused the credentials.</source>
        <translation>レジストリが認証情報を拒否しました。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Check the registry user name and password in Settings › Profiles.</source>
        <translation>「設定」›「プロファイル」 でレジストリのユーザー名とパスワードを確認してください。</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>It is the Local server on this computer: see its state in the status bar (Settings › Local server can restart it).</source>
        <translation>このコンピューター上のローカルサーバーです。ステータスバーで状態を確認してください（設定 › ローカルサーバー から再起動できます）。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Check this computer&apos;s network connection and try again.</source>
        <translation>このコンピューターのネットワーク接続を確認して、もう一度お試しください。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Timed out</source>
        <translation>タイムアウトしました</translation>
    </message>
    <message>
        <location line="-18"/>
        <source>The server did not answer in time.</source>
        <translation>サーバーが時間内に応答しませんでした。</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Connection problem</source>
        <translation>接続の問題</translation>
    </message>
    <message>
        <location line="-16"/>
        <source>fcdesk could not reach the server.</source>
        <translation>fcdesk はサーバーに接続できませんでした。</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Invalid image reference</source>
        <translation>無効なイメージ参照</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Use the form registry/namespace/repository:tag.</source>
        <translation>レジストリ/名前空間/リポジトリ:タグ の形式で指定してください。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Invalid value</source>
        <translation>無効な値</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Conversion failed</source>
        <translation>変換に失敗しました</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The task log has the details; the source image is unchanged.</source>
        <translation>詳細はタスクログにあります。変換元のイメージは変更されていません。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Corrupt data</source>
        <translation>破損したデータ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Downloaded data did not match its digest.</source>
        <translation>ダウンロードしたデータがダイジェストと一致しませんでした。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Nothing was kept. Try again; if it repeats, the registry is serving corrupt content.</source>
        <translation>何も保存されていません。もう一度お試しください。繰り返す場合は、レジストリが破損したコンテンツを配信しています。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Not connected</source>
        <translation>未接続</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The profile in use is not connected (yet).</source>
        <translation>使用中のプロファイルは（まだ）接続されていません。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Wait until the status bar says it is connected, or choose another profile.</source>
        <translation>ステータスバーに接続済みと表示されるまで待つか、別のプロファイルを選んでください。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Local server</source>
        <translation>ローカルサーバー</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The Local server could not start or answer.</source>
        <translation>ローカルサーバーが起動できないか、応答しません。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>See Settings › Local server (data directory, port) and its log.</source>
        <translation>「設定」›「ローカルサーバー」（データディレクトリ、ポート）とそのログを確認してください。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Cold start failed</source>
        <translation>コールドスタートに失敗しました</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Error</source>
        <translation>エラー</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>File or system error</source>
        <translation>ファイルまたはシステムのエラー</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Unexpected error</source>
        <translation>予期しないエラー</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Something went wrong inside fcdesk.</source>
        <translation>fcdesk の内部で問題が発生しました。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The details below help to report it.</source>
        <translation>報告の際は以下の詳細が役立ちます。</translation>
    </message>
</context>
<context>
    <name>ExceptionDialog</name>
    <message>
        <location line="+69"/>
        <source>Error details</source>
        <translation>エラーの詳細</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Technical details</source>
        <translation>技術的な詳細</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Copy details</source>
        <translation>詳細をコピー</translation>
    </message>
</context>
<context>
    <name>FilesModel</name>
    <message>
        <location filename="../../gui/models/files_model.py" line="+259"/>
        <source>Name</source>
        <translation>名前</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Size</source>
        <translation>サイズ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start-up</source>
        <translation>起動時</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Layer</source>
        <translation>レイヤー</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mode</source>
        <translation>モード</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Owner</source>
        <translation>所有者</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Modified</source>
        <translation>更新日時</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>start-up</source>
        <translation>起動時に読む</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>%1 in %2 entries</source>
        <translation>%2 エントリで %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>start-up reads %1 of it</source>
        <translation>起動時にそのうち %1 を読み込みます</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Read at start-up (in the image&apos;s start-up profile)</source>
        <translation>起動時に読み込まれます (イメージの起動プロファイルに含まれます)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>From layer %1</source>
        <translation>レイヤー %1 から</translation>
    </message>
</context>
<context>
    <name>FilesView</name>
    <message>
        <location filename="../../gui/views/files_view.py" line="+53"/>
        <source>Search files</source>
        <translation>ファイルを検索</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Compare with…</source>
        <translation>比較対象…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Another tag of this repository, or NAMESPACE/REPOSITORY:TAG of this registry instance</source>
        <translation>このリポジトリの別のタグ、またはこのレジストリインスタンスの NAMESPACE/REPOSITORY:TAG</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Image to compare with</source>
        <translation>比較するイメージ</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Compare</source>
        <translation>比較</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>List what was added, removed or changed between the two images</source>
        <translation>2 つのイメージの間で追加・削除・変更されたものを一覧にします</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Read the file tree again</source>
        <translation>ファイルツリーを読み直す</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reload the file tree</source>
        <translation>ファイルツリーを再読み込み</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Reading the image</source>
        <translation>イメージを読み込み中</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Show or hide these paths</source>
        <translation>これらのパスを表示または非表示</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Swap</source>
        <translation>入れ替え</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Compare the other way round</source>
        <translation>逆方向に比較</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Back to the files</source>
        <translation>ファイル一覧に戻る</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Reading the image to compare with</source>
        <translation>比較するイメージを読み込み中</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Files of the image</source>
        <translation>イメージのファイル</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Files found</source>
        <translation>見つかったファイル</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Differences between the two images</source>
        <translation>2 つのイメージの違い</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>Hidden by upper layers</source>
        <translation>上位レイヤーで隠されたもの</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Path</source>
        <translation>パス</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Size</source>
        <translation>サイズ</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>From layer</source>
        <translation>元のレイヤー</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Hidden by</source>
        <translation>隠したレイヤー</translation>
    </message>
    <message>
        <location line="+75"/>
        <source>“%1” names no image to compare with: %2</source>
        <translation>「%1」は比較できるイメージを指していません：%2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Type a tag of this repository, or NAMESPACE/REPOSITORY:TAG.</source>
        <translation>このリポジトリのタグ、または NAMESPACE/REPOSITORY:TAG を入力してください。</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Reading the image to compare with…</source>
        <translation>比較するイメージを読み込み中…</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Plain image: reading its layers once (%1 of %2, %3 left)…</source>
        <translation>通常イメージ：レイヤーを一度だけ読み込み中 (%2 中 %1、残り %3)…</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>From %1 to %2</source>
        <translation>%1 から %2 への変更</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Added: %1 (%2)</source>
        <translation>追加：%1 (%2)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Removed: %1 (%2)</source>
        <translation>削除：%1 (%2)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Changed: %1 (%2)</source>
        <translation>変更：%1 (%2)</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>This registry instance has no repository %1.</source>
        <translation>このレジストリインスタンスにはリポジトリ %1 がありません。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Check the name; repositories of another instance cannot be compared.</source>
        <translation>名前を確認してください。別のインスタンスのリポジトリとは比較できません。</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>Reading the image&apos;s file tree…</source>
        <translation>イメージのファイルツリーを読み込み中…</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Plain image: reading its layers once (%1 of %2, %3/s, %4 left)…</source>
        <translation>通常イメージ: レイヤーを一度だけ読み込み中 (%2 中 %1、%3/秒、残り %4)…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The index is kept for next time.</source>
        <translation>インデックスは次回のために保存されます。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reading the tables of contents…</source>
        <translation>目次 (TOC) を読み込み中…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Merging the layers…</source>
        <translation>レイヤーを統合中…</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>● Start-up profile: %1 files, %2 — %3 % of the image&apos;s bytes</source>
        <translation>● 起動プロファイル: %1 ファイル、%2 — イメージのバイト数の %3 %</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>No start-up profile recorded for this image.</source>
        <translation>このイメージの起動プロファイルは記録されていません。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Hidden by upper layers: %1 (%2)</source>
        <translation>上位レイヤーで隠されたもの: %1 (%2)</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>read from its TOCs</source>
        <translation>TOC から読み込み</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>its layers streamed once (the index is kept for next time)</source>
        <translation>レイヤーを一度だけ読み込み (インデックスは次回のために保存)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>from the index kept earlier</source>
        <translation>以前に保存したインデックスから</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 entries, %2 of files — %3 in %4</source>
        <translation>%1 エントリ、ファイル %2 — %4 で%3</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1 of %2 differences shown</source>
        <translation>%2 件中 %1 件の違いを表示</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 matches</source>
        <translation>%1 件一致</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>whiteout</source>
        <translation>ホワイトアウト</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>opaque directory</source>
        <translation>不透明ディレクトリ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>replaced</source>
        <translation>置き換え</translation>
    </message>
</context>
<context>
    <name>FixDialog</name>
    <message>
        <location filename="../../gui/dialogs/fix_dialog.py" line="+25"/>
        <source>Confirm fix</source>
        <translation>修正の確認</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&lt;b&gt;%1&lt;/b&gt; on %2 — this will:</source>
        <translation>%2 の &lt;b&gt;%1&lt;/b&gt; — 次の処理を行います：</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Steps marked “By hand” are left to you.</source>
        <translation>「手動」と表示された手順はご自身で行ってください。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Apply</source>
        <translation>適用</translation>
    </message>
</context>
<context>
    <name>Format</name>
    <message>
        <location filename="../../gui/format.py" line="+42"/>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
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
        <translation>見積もり中…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>almost done</source>
        <translation>まもなく完了</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 s left</source>
        <translation>残り %1 秒</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 min left</source>
        <translation>残り %1 分</translation>
    </message>
</context>
<context>
    <name>FunctionDetailView</name>
    <message>
        <location filename="../../gui/views/function_detail_view.py" line="+87"/>
        <source>All functions</source>
        <translation>すべての関数</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Back to all functions</source>
        <translation>関数一覧に戻る</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Edit</source>
        <translation>編集</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete</source>
        <translation>削除</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Function details</source>
        <translation>関数の詳細</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>State</source>
        <translation>状態</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>State reason</source>
        <translation>状態の理由</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last update</source>
        <translation>最終更新</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Update reason</source>
        <translation>更新の理由</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Image</source>
        <translation>イメージ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Deployed digest</source>
        <translation>デプロイ済みダイジェスト</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Description</source>
        <translation>説明</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ARN</source>
        <translation>ARN</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Created</source>
        <translation>作成日時</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last modified</source>
        <translation>最終更新日時</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The function records the tag&apos;s digest at deployment. Pushing a different image to the same tag, or deleting the image, later makes the function fail: update it to deploy an image again.</source>
        <translation>関数はデプロイ時にタグのダイジェストを記録します。後で同じタグに別のイメージをプッシュしたり、イメージを削除したりすると関数は失敗します。関数を更新してイメージを再度デプロイしてください。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Overview</source>
        <translation>概要</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>vCPU</source>
        <translation>vCPU</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Memory</source>
        <translation>メモリ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Disk</source>
        <translation>ディスク</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Timeout</source>
        <translation>タイムアウト</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Instance concurrency</source>
        <translation>インスタンスの同時実行数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Port</source>
        <translation>ポート</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Entrypoint</source>
        <translation>エントリポイント</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Command</source>
        <translation>コマンド</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Health check</source>
        <translation>ヘルスチェック</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Internet access</source>
        <translation>インターネットアクセス</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Role</source>
        <translation>ロール</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+7"/>
        <source>Environment variables</source>
        <translation>環境変数</translation>
    </message>
    <message>
        <location line="-4"/>
        <source>Name</source>
        <translation>名前</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Value</source>
        <translation>値</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>This function sets no environment variables.</source>
        <translation>この関数には環境変数が設定されていません。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Configuration</source>
        <translation>設定</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Image:</source>
        <translation>イメージ：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Deployed digest:</source>
        <translation>デプロイ済みダイジェスト：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Acceleration:</source>
        <translation>アクセラレーション：</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Switch to the accelerated image…</source>
        <translation>高速化イメージに切り替え…</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Image &amp;&amp; acceleration</source>
        <translation>イメージとアクセラレーション</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Synchronous</source>
        <translation>同期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Asynchronous</source>
        <translation>非同期</translation>
    </message>
    <message>
        <location line="+17"/>
        <location line="+53"/>
        <source>Invoke</source>
        <translation>呼び出し</translation>
    </message>
    <message>
        <location line="-50"/>
        <source>Invoke (Ctrl+Enter)</source>
        <translation>呼び出し (Ctrl+Enter)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Event (request body)</source>
        <translation>イベント（リクエスト本文）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Event</source>
        <translation>イベント</translation>
    </message>
    <message>
        <location line="+21"/>
        <location line="+3"/>
        <source>Response body</source>
        <translation>レスポンス本文</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+3"/>
        <source>Log tail</source>
        <translation>ログの末尾</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Compare this function&apos;s cold start with another function or image in the Cold-start lab: both are started cold several times over the same shaped link and timed phase by phase.</source>
        <translation>コールドスタートラボで、この関数のコールドスタートを別の関数またはイメージと比較します。両方を同じ条件の回線で数回コールドスタートし、フェーズごとに計測します。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>When</source>
        <translation>日時</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Compared with</source>
        <translation>比較対象</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>p50 (this / other)</source>
        <translation>p50（この関数 / 比較対象）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This function</source>
        <translation>この関数</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Cold-start runs of this function</source>
        <translation>この関数のコールドスタート実行</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No comparison with this function yet: “Compare in the lab…” runs one.</source>
        <translation>この関数との比較はまだありません。「ラボで比較…」で実行できます。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Compare in the lab…</source>
        <translation>ラボで比較…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Cold starts</source>
        <translation>コールドスタート</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Scroll to new lines</source>
        <translation>新しい行までスクロール</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Clear</source>
        <translation>クリア</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Clear the shown log lines</source>
        <translation>表示中のログ行をクリア</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Function logs</source>
        <translation>関数のログ</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Logs</source>
        <translation>ログ</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>The log stream of %1 is not open: %2 (trying again in %3 s)</source>
        <translation>%1 のログストリームを開けません：%2（%3 秒後に再試行）</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Alibaba Cloud keeps function logs in Simple Log Service: give the function a log configuration (project and logstore) and read them in the Simple Log Service console. Shown here: the log tail (last 4 KB) of each invocation made from this console.</source>
        <translation>Alibaba Cloud では関数のログは Simple Log Service に保存されます。関数にログ設定 (プロジェクトとログストア) を行い、Simple Log Service コンソールで確認してください。ここには、このコンソールから行った各呼び出しのログ末尾 (最後の 4 KB) を表示します。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Following what %1&apos;s instances print, as they run.</source>
        <translation>%1 のインスタンスの出力を実行中に追跡しています。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Not following (open this tab to follow).</source>
        <translation>追跡していません (このタブを開くと追跡します)。</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>— %1, request %2 —</source>
        <translation>— %1、リクエスト %2 —</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>The Local server invokes functions synchronously only.</source>
        <translation>ローカルサーバーは関数を同期呼び出しでのみ実行します。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>(not on the Local server)</source>
        <translation>（ローカルサーバーでは使えません）</translation>
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
        <translation>%2 秒ごとに GET %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>none</source>
        <translation>なし</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>yes</source>
        <translation>はい</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>no</source>
        <translation>いいえ</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>This function uses an accelerated image: cold starts fetch only what start-up reads, on demand.</source>
        <translation>この関数は高速化イメージを使用しています。コールドスタートでは起動時に読み込まれるデータだけをオンデマンドで取得します。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>An accelerated twin (%1) of this image is ready. Switch the function to it for faster cold starts.</source>
        <translation>このイメージの高速化版（%1）が準備できています。関数を切り替えるとコールドスタートが速くなります。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The accelerated twin of this image is being converted. Switch once it is ready.</source>
        <translation>このイメージの高速化版は変換中です。準備ができたら切り替えてください。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>This image has no accelerated twin. Switch acceleration on for its repository (Images view) to convert it.</source>
        <translation>このイメージには高速化版がありません。変換するには、リポジトリのアクセラレーションを有効にしてください（イメージ画面）。</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>about as fast</source>
        <translation>ほぼ同じ速さ</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1× faster</source>
        <translation>%1 倍速い</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1× slower</source>
        <translation>%1 倍遅い</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>The event is not valid JSON (%1); it is sent as it is.</source>
        <translation>イベントは有効な JSON ではありません（%1）。そのまま送信します。</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Accepted %1</source>
        <translation>受け付けました %1</translation>
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
        <translation>リクエスト ID：%1</translation>
    </message>
    <message numerus="yes">
        <location line="-14"/>
        <source>(%n byte(s) of binary data)</source>
        <translation>
            <numerusform>（%n バイトのバイナリデータ）</numerusform>
        </translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Failed</source>
        <translation>失敗</translation>
    </message>
</context>
<context>
    <name>FunctionDialog</name>
    <message>
        <location filename="../../gui/dialogs/function_dialog.py" line="+121"/>
        <source>Create function</source>
        <translation>関数を作成</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Edit %1</source>
        <translation>%1 を編集</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>letters, digits, _ and -; 1–64 characters</source>
        <translation>英数字、_ と -、1～64 文字</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Function name</source>
        <translation>関数名</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Name</source>
        <translation>名前</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>registry/namespace/repository:tag</source>
        <translation>レジストリ/名前空間/リポジトリ:タグ</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+8"/>
        <source>Image</source>
        <translation>イメージ</translation>
    </message>
    <message>
        <location line="-7"/>
        <source>Browse…</source>
        <translation>参照…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Browse images</source>
        <translation>イメージを参照</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Why?</source>
        <translation>理由は?</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+1"/>
        <source>Why is this image not accelerated?</source>
        <translation>このイメージが高速化されていない理由は?</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Deploy only when the accelerated image is ready</source>
        <extracomment>the why panel&apos;s fix under way: (fix, image, plain tag, twin state last seen)</extracomment>
        <translation>高速化イメージの準備ができてからデプロイする</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Wait for the image&apos;s _accelerated twin, then deploy it; if it does not get ready, the function is left as it was and the reason is shown.</source>
        <translation>イメージの _accelerated 版を待ってからデプロイします。準備ができなければ関数は変更せず、理由を表示します。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Wait at most</source>
        <translation>最大待ち時間</translation>
    </message>
    <message>
        <location line="+4"/>
        <source> min</source>
        <translation> 分</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Wait at most (minutes)</source>
        <translation>最大待ち時間 (分)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>then deploy the plain image</source>
        <translation>その後は通常イメージをデプロイ</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Conversion progress</source>
        <translation>変換の進捗</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Acceleration</source>
        <translation>高速化</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+1"/>
        <source>Description</source>
        <translation>説明</translation>
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
        <translation>メモリ</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+1"/>
        <source>Disk</source>
        <translation>ディスク</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+1"/>
        <location line="+43"/>
        <source>Timeout</source>
        <translation>タイムアウト</translation>
    </message>
    <message>
        <location line="-40"/>
        <location line="+2"/>
        <source>Instance concurrency</source>
        <translation>インスタンスの同時実行数</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Basics</source>
        <translation>基本設定</translation>
    </message>
    <message>
        <location line="+8"/>
        <location line="+1"/>
        <source>Port</source>
        <translation>ポート</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>e.g. python   (image default if empty)</source>
        <translation>例：python&#x3000;（空欄ならイメージの既定値）</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>Entrypoint</source>
        <translation>エントリポイント</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>e.g. app.py --port 9000</source>
        <translation>例：app.py --port 9000</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>Command</source>
        <translation>コマンド</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Health check</source>
        <translation>ヘルスチェック</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Health check path</source>
        <translation>ヘルスチェックのパス</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>HTTP GET path</source>
        <translation>HTTP GET パス</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Initial delay</source>
        <translation>初回遅延</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Period</source>
        <translation>間隔</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Success threshold</source>
        <translation>成功しきい値</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Failure threshold</source>
        <translation>失敗しきい値</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Allow internet access</source>
        <translation>インターネットアクセスを許可</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Container</source>
        <translation>コンテナ</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Environment variables</source>
        <translation>環境変数</translation>
    </message>
    <message>
        <location line="+15"/>
        <location line="+582"/>
        <source>Create</source>
        <translation>作成</translation>
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
        <translation>エントリポイントを解釈できません：%1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Cannot read the command: %1</source>
        <translation>コマンドを解釈できません：%1</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Fill in the name and the image to create the function.</source>
        <translation>関数を作成するには、名前とイメージを入力してください。</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n problem(s) to fix before saving.</source>
        <translation>
            <numerusform>保存する前に %n 件の問題を修正してください。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+18"/>
        <location line="+29"/>
        <source>Required.</source>
        <translation>必須です。</translation>
    </message>
    <message>
        <location line="-28"/>
        <source>Use letters, digits, _ or -; do not start with a digit or -.</source>
        <translation>英数字、_、- を使用してください。数字または - で始めることはできません。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>At most %1 characters.</source>
        <translation>%1 文字以内で入力してください。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Must be between %1 and %2.</source>
        <translation>%1～%2 の範囲で指定してください。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Must be a multiple of %1.</source>
        <translation>%1 の倍数で指定してください。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>vCPU : memory (GB) must be between 1:1 and 1:4; with this memory use %1–%2 vCPU.</source>
        <translation>vCPU とメモリ（GB）の比率は 1:1～1:4 にしてください。このメモリの場合は %1～%2 vCPU です。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Choose one of %1.</source>
        <translation>%1 のいずれかを選択してください。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Not a valid image reference (registry/namespace/repository:tag).</source>
        <translation>有効なイメージ参照ではありません（レジストリ/名前空間/リポジトリ:タグ）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Wrong type of value.</source>
        <translation>値の型が正しくありません。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Invalid format.</source>
        <translation>形式が正しくありません。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Use 1–64 letters, digits, _ or -; do not start with a digit or -.</source>
        <translation>英数字、_、- を 1～64 文字で使用してください。数字または - で始めることはできません。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>vCPU must be a multiple of 0.05 between 0.05 and 16.</source>
        <translation>vCPU は 0.05～16 の範囲で 0.05 の倍数にしてください。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Memory must be a multiple of 64 MB between 128 and 32768.</source>
        <translation>メモリは 128～32768 MB の範囲で 64 MB の倍数にしてください。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>vCPU : memory (GB) must be between 1:1 and 1:4 (e.g. 1 vCPU with 1–4 GB).</source>
        <translation>vCPU とメモリ（GB）の比率は 1:1～1:4 にしてください（例：1 vCPU なら 1～4 GB）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Disk must be 512 MB or 10 GB.</source>
        <translation>ディスクは 512 MB または 10 GB にしてください。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Out of range.</source>
        <translation>範囲外です。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not a valid image reference.</source>
        <translation>有効なイメージ参照ではありません。</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Accelerated</source>
        <translation>高速化済み</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cold starts load this image on demand.</source>
        <translation>コールドスタート時、このイメージはオンデマンドで読み込まれます。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Twin ready</source>
        <translation>高速化版あり</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>An accelerated twin of this tag exists; choose it for faster cold starts.</source>
        <translation>このタグには高速化版があります。選択するとコールドスタートが速くなります。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Not ready</source>
        <translation>準備中</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The accelerated image is not ready yet. Deploying now uses the plain image, with full-pull cold starts.</source>
        <translation>高速化イメージはまだ準備できていません。今デプロイすると通常イメージが使われ、コールドスタートのたびにイメージ全体をプルします。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Not accelerated</source>
        <translation>高速化なし</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This image is not accelerated: every cold start pulls it whole.</source>
        <translation>このイメージは高速化されていません。コールドスタートのたびにイメージ全体をプルします。</translation>
    </message>
    <message>
        <location line="+91"/>
        <source>Opening the repository of %1…</source>
        <translation>%1 のリポジトリを開いています…</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Switching acceleration on for %1…</source>
        <translation>%1 のアクセラレーションをオンにしています…</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+25"/>
        <source>Starting the conversion of %1…</source>
        <translation>%1 の変換を開始しています…</translation>
    </message>
    <message>
        <location line="-14"/>
        <source>Could not open the image&apos;s repository: %1</source>
        <translation>イメージのリポジトリを開けませんでした: %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No registry instance of this connection holds %1.</source>
        <translation>この接続のどのレジストリインスタンスにも %1 はありません。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Acceleration is on: new pushes are converted.</source>
        <translation>アクセラレーションはオンです: 新しくプッシュされたイメージが変換されます。</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Converting %1: %2 %</source>
        <translation>%1 を変換中: %2 %</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Converting %1…</source>
        <translation>%1 を変換中…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 is ready.</source>
        <translation>%1 の準備ができました。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The conversion of %1 failed: %2</source>
        <translation>%1 の変換に失敗しました: %2</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>Converting %1: %2 % (%3 left)</source>
        <translation>%1 を変換中: %2 % (残り %3)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 is ready; deploying it…</source>
        <translation>%1 の準備ができました。デプロイ中…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Waiting for %1 (%2 s)…</source>
        <translation>%1 を待機中 (%2 秒)…</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>Checking the accelerated image of %1…</source>
        <translation>%1 の高速化イメージを確認中…</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Creating…</source>
        <translation>作成中…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Saving…</source>
        <translation>保存中…</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Waiting for the accelerated image failed: %1</source>
        <translation>高速化イメージの待機に失敗しました：%1</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Nothing was deployed: the accelerated image could not be checked.</source>
        <translation>何もデプロイしていません：高速化イメージを確認できませんでした。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>The service refused the function: %1</source>
        <translation>サービスが関数を受け付けませんでした: %1</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>%1 was not ready after %2 min: nothing was deployed.</source>
        <translation>%1 は %2 分後も準備ができていません。何もデプロイしませんでした。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 will not get ready: nothing was deployed.</source>
        <translation>%1 は準備ができる見込みがありません。何もデプロイしませんでした。</translation>
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
        <translation>アクティブ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pending</source>
        <translation>保留中</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+17"/>
        <source>Failed</source>
        <translation>失敗</translation>
    </message>
    <message>
        <location line="-16"/>
        <source>Inactive</source>
        <translation>非アクティブ</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Optimizing image</source>
        <translation>イメージを最適化中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>In progress</source>
        <translation>進行中</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Successful</source>
        <translation>成功</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Accelerated</source>
        <translation>高速化済み</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Twin available</source>
        <translation>高速化版あり</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Converting</source>
        <translation>変換中</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Conversion failed</source>
        <translation>変換に失敗しました</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Not accelerated</source>
        <translation>高速化なし</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>Name</source>
        <translation>名前</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Image</source>
        <translation>イメージ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Acceleration</source>
        <translation>アクセラレーション</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>State</source>
        <translation>状態</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last update</source>
        <translation>最終更新</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>CPU / Memory</source>
        <translation>CPU / メモリ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last modified</source>
        <translation>最終更新日時</translation>
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
        <translation>関数</translation>
    </message>
    <message>
        <location line="-92"/>
        <source>Search functions</source>
        <translation>関数を検索</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Refresh</source>
        <translation>更新</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refresh functions</source>
        <translation>関数一覧を更新</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+2"/>
        <source>Create function</source>
        <translation>関数を作成</translation>
    </message>
    <message>
        <location line="+37"/>
        <location line="+132"/>
        <source>No functions yet. Create one to get started.</source>
        <translation>関数はまだありません。作成して始めましょう。</translation>
    </message>
    <message>
        <location line="-18"/>
        <source>The functions could not be listed: %1</source>
        <translation>関数の一覧を取得できませんでした: %1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Connecting… The functions appear once the profile is connected.</source>
        <translation>接続中… プロファイルに接続すると関数が表示されます。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not connected. The functions appear once the profile is connected.</source>
        <translation>未接続です。プロファイルに接続すると関数が表示されます。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This profile is a plain OCI registry: it has no functions. Its images are under Images; use the Local or an Alibaba Cloud profile for functions.</source>
        <translation>このプロファイルは通常の OCI レジストリのため、関数はありません。イメージは「イメージ」画面にあります。関数を使うには Local または Alibaba Cloud のプロファイルを選んでください。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The Local server is setting up its demo: the functions demo-plain and demo-accelerated appear here in a few seconds.</source>
        <translation>ローカルサーバーがデモを準備しています。関数 demo-plain と demo-accelerated が数秒でここに表示されます。</translation>
    </message>
    <message numerus="yes">
        <location line="+11"/>
        <source>%n function(s)</source>
        <translation>
            <numerusform>%n 個の関数</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 of %2 shown</source>
        <translation>%2 件中 %1 件を表示</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>scroll for more</source>
        <translation>スクロールで続きを表示</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>loading…</source>
        <translation>読み込み中…</translation>
    </message>
</context>
<context>
    <name>FunctionsViewModel</name>
    <message>
        <location filename="../../gui/viewmodels/functions_vm.py" line="+257"/>
        <source>Deployment failed</source>
        <translation>デプロイに失敗しました</translation>
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
        <translation>不明</translation>
    </message>
    <message>
        <location line="-19"/>
        <source>Function failed</source>
        <translation>関数が失敗しました</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 can no longer be invoked: %2. Update it to deploy an image again.</source>
        <translation>%1 は呼び出せなくなりました: %2。関数を更新してイメージを再度デプロイしてください。</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Deployment finished</source>
        <translation>デプロイが完了しました</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 is active and up to date.</source>
        <translation>%1 はアクティブで、最新の状態です。</translation>
    </message>
    <message>
        <location line="+82"/>
        <source>Redeployed on the optimized image</source>
        <translation>最適化されたイメージで再デプロイしました</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 now runs %2 (%3): the Local server converted the image again with its start-up files first.</source>
        <translation>%1 は %2 (%3) で動作しています。ローカルサーバーが起動時に読むファイルを先頭にしてイメージを再変換しました。</translation>
    </message>
    <message>
        <location line="+82"/>
        <source>Function deleted</source>
        <translation>関数を削除しました</translation>
    </message>
</context>
<context>
    <name>ImagePickerDialog</name>
    <message>
        <location filename="../../gui/dialogs/image_picker_dialog.py" line="+63"/>
        <location line="+1"/>
        <source>Select an image</source>
        <translation>イメージを選択</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Registry instance</source>
        <translation>レジストリインスタンス</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Namespace</source>
        <translation>名前空間</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Namespace:</source>
        <translation>名前空間：</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Instance:</source>
        <translation>インスタンス：</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Filter repositories</source>
        <translation>リポジトリを絞り込み</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Repositories</source>
        <translation>リポジトリ</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Filter tags</source>
        <translation>タグを絞り込み</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Tags</source>
        <translation>タグ</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Use the accelerated twin</source>
        <translation>高速化版を使用</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Switch acceleration on</source>
        <translation>アクセラレーションを有効化</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+214"/>
        <location line="+12"/>
        <source>Convert now</source>
        <translation>今すぐ変換</translation>
    </message>
    <message>
        <location line="-219"/>
        <source>Use the VPC registry address</source>
        <translation>VPC のレジストリアドレスを使用</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Functions pull over the VPC; the instance must allow the function&apos;s VPC.</source>
        <translation>関数は VPC 経由でプルします。インスタンス側で関数の VPC を許可しておく必要があります。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Select</source>
        <translation>選択</translation>
    </message>
    <message>
        <location line="+53"/>
        <source>no acceleration</source>
        <translation>アクセラレーションなし</translation>
    </message>
    <message>
        <location line="-42"/>
        <source>All namespaces</source>
        <translation>すべての名前空間</translation>
    </message>
    <message>
        <location line="+129"/>
        <source>Choose a repository and a tag.</source>
        <translation>リポジトリとタグを選択してください。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Accelerated</source>
        <translation>高速化済み</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>An accelerated image: cold starts fetch only what start-up reads.</source>
        <translation>高速化イメージです。コールドスタートでは起動時に読み込まれるデータだけを取得します。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Twin ready</source>
        <translation>高速化版あり</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Its accelerated twin %1 exists and starts faster.</source>
        <translation>高速化版 %1 があり、より速く起動します。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Converting</source>
        <translation>変換中</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The accelerated twin %1 is not ready yet. Deploying this plain tag now means full-image cold starts.</source>
        <translation>高速化版 %1 はまだ準備できていません。この通常タグを今デプロイすると、コールドスタートのたびにイメージ全体をプルします。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Conversion failed</source>
        <translation>変換に失敗しました</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Converting this tag failed: %1</source>
        <translation>このタグの変換に失敗しました：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>see the task log</source>
        <translation>タスクログを参照してください</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Convert again</source>
        <translation>再変換</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No twin</source>
        <translation>高速化版なし</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Its conversion was cancelled: convert it now to get %1.</source>
        <translation>変換はキャンセルされました。今すぐ変換すると %1 を取得できます。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Acceleration is on, but this tag was pushed before: convert it now to get %1.</source>
        <translation>アクセラレーションは有効ですが、このタグはそれ以前にプッシュされました。今すぐ変換すると %1 が作成されます。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>This repository has no image acceleration. Switch it on to convert this tag into %1.</source>
        <translation>このリポジトリではイメージアクセラレーションが無効です。有効にすると、このタグが %1 に変換されます。</translation>
    </message>
</context>
<context>
    <name>ImagesView</name>
    <message>
        <location filename="../../gui/views/images_view.py" line="+68"/>
        <location line="+299"/>
        <source>Images</source>
        <translation>イメージ</translation>
    </message>
    <message>
        <location line="-295"/>
        <source>Instance:</source>
        <translation>インスタンス：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Registry instance</source>
        <translation>レジストリインスタンス</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Namespace:</source>
        <translation>名前空間：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Namespace</source>
        <translation>名前空間</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Refresh</source>
        <translation>更新</translation>
    </message>
    <message>
        <location line="+9"/>
        <location line="+4"/>
        <source>Repositories</source>
        <translation>リポジトリ</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Image acceleration</source>
        <translation>イメージアクセラレーション</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Image acceleration for this repository</source>
        <translation>このリポジトリのイメージアクセラレーション</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Convert every tag pushed from now on into &lt;tag&gt;_accelerated.</source>
        <translation>今後プッシュされるすべてのタグを &lt;tag&gt;_accelerated に変換します。</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Filter tags</source>
        <translation>タグを絞り込み</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+568"/>
        <source>Convert now</source>
        <translation>今すぐ変換</translation>
    </message>
    <message>
        <location line="-567"/>
        <source>Convert the selected tag now</source>
        <translation>選択したタグを今すぐ変換</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Convert all unconverted</source>
        <translation>未変換をすべて変換</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Push an image…</source>
        <translation>イメージをプッシュ…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The exact commands that push an image into this repository</source>
        <translation>このリポジトリにイメージをプッシュする具体的なコマンド</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Tags</source>
        <translation>タグ</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>Conversion progress</source>
        <translation>変換の進行状況</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Show task</source>
        <translation>タスクを表示</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Tag:</source>
        <translation>タグ：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pair:</source>
        <translation>ペア：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Acceleration:</source>
        <translation>アクセラレーション：</translation>
    </message>
    <message>
        <location line="+10"/>
        <location line="+527"/>
        <source>Record</source>
        <translation>記録</translation>
    </message>
    <message>
        <location line="-522"/>
        <source>Start-up profile:</source>
        <translation>起動プロファイル:</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Why:</source>
        <translation>理由:</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Digest:</source>
        <translation>ダイジェスト：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Address (VPC):</source>
        <translation>アドレス（VPC）：</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Details</source>
        <translation>詳細</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+280"/>
        <source>Files</source>
        <translation>ファイル</translation>
    </message>
    <message>
        <location line="-278"/>
        <source>The tag&apos;s file tree, read without pulling the image</source>
        <translation>イメージをプルせずに読み込んだタグのファイルツリー</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>All</source>
        <translation>すべて</translation>
    </message>
    <message>
        <location line="+136"/>
        <source>No repository selected</source>
        <translation>リポジトリが選択されていません</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>A plain OCI registry does not convert by itself: select tags and use “Convert now” to convert them on this computer.</source>
        <translation>通常の OCI レジストリは自動では変換しません。タグを選択し、「今すぐ変換」でこのコンピューター上で変換してください。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>This instance&apos;s edition cannot accelerate images (Standard or Advanced needed).</source>
        <translation>このインスタンスのエディションはイメージアクセラレーションに対応していません（Standard または Advanced が必要です）。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>New tags are converted into &lt;tag&gt;_accelerated as they are pushed. Tags pushed earlier need “Convert now”.</source>
        <translation>新しいタグはプッシュ時に &lt;tag&gt;_accelerated に変換されます。それ以前にプッシュされたタグは「今すぐ変換」が必要です。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Tags are not converted.</source>
        <translation>タグは変換されません。</translation>
    </message>
    <message numerus="yes">
        <location line="+23"/>
        <source>%n tag(s)</source>
        <translation>
            <numerusform>%n 個のタグ</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 shown</source>
        <translation>%1 件を表示</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n accelerated</source>
        <translation>
            <numerusform>高速化済み %n 個</numerusform>
        </translation>
    </message>
    <message>
        <location line="+183"/>
        <source>accelerated image of %1</source>
        <translation>%1 の高速化イメージ</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Accelerated image</source>
        <translation>高速化イメージ</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>accelerated twin: %1</source>
        <translation>高速化版：%1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Ready</source>
        <translation>準備完了</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>accelerated twin: %1 (being converted)</source>
        <translation>高速化版：%1（変換中）</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Converting</source>
        <translation>変換中</translation>
    </message>
    <message>
        <location line="+9"/>
        <location line="+8"/>
        <source>no accelerated twin</source>
        <translation>高速化版なし</translation>
    </message>
    <message>
        <location line="-7"/>
        <source>Failed</source>
        <translation>失敗</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The conversion failed; see the task log.</source>
        <translation>変換に失敗しました。タスクログを確認してください。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>None</source>
        <translation>なし</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Convert again</source>
        <translation>再変換</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>not recorded</source>
        <translation>未記録</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>queued for recording</source>
        <translation>記録待ち</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>recording (the accelerated image starts once)…</source>
        <translation>記録中（高速化イメージを一度起動しています）…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>not recorded: %1</source>
        <translation>未記録: %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>1 file, %2, recorded %3</source>
        <translation>1 ファイル、%2、%3 に記録</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 files, %2, recorded %3</source>
        <translation>%1 ファイル、%2、%3 に記録</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>(static: the entrypoint and its libraries)</source>
        <translation>（静的: エントリポイントとそのライブラリのみ）</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Record again</source>
        <translation>再記録</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Start the accelerated image once, record the files its start-up reads, and convert the tag again so that it fetches them first</source>
        <translation>高速化イメージを一度起動して起動時に読むファイルを記録し、それらを最初に取得するようにタグを再変換します</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Alibaba Cloud prefetches the files listed in the repository&apos;s rule</source>
        <translation>Alibaba Cloud はリポジトリのルールに記載されたファイルを先読みします</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Set prefetch list…</source>
        <translation>先読みリストを設定…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Use a profile recorded with &apos;fcaccel profile record --output FILE&apos;</source>
        <translation>&apos;fcaccel profile record --output FILE&apos; で記録したプロファイルを使います</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Choose a start-up profile</source>
        <translation>起動プロファイルを選択</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Start-up profiles (*.txt *.json *.ndjson);;All files (*)</source>
        <translation>起動プロファイル (*.txt *.json *.ndjson);;すべてのファイル (*)</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Nothing to prefetch</source>
        <translation>先読みするものがありません</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 lists no files</source>
        <translation>%1 にはファイルがありません</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>Switch acceleration off</source>
        <translation>アクセラレーションを無効化</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stop converting new tags of %1?</source>
        <translation>%1 の新しいタグの変換を停止しますか？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Existing accelerated images are kept.</source>
        <translation>既存の高速化イメージは残ります。</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Nothing to convert</source>
        <translation>変換するものはありません</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Every tag of %1 has its accelerated image or is being converted.</source>
        <translation>%1 のすべてのタグには高速化イメージがあるか、変換中です。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Convert existing tags</source>
        <translation>既存のタグを変換</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n tag(s) were pushed before acceleration was on. Convert them now?</source>
        <translation>
            <numerusform>アクセラレーションを有効にする前にプッシュされたタグが %n 個あります。今すぐ変換しますか？</numerusform>
        </translation>
    </message>
    <message>
        <location line="+4"/>
        <source>New pushes are converted automatically.</source>
        <translation>今後のプッシュは自動的に変換されます。</translation>
    </message>
</context>
<context>
    <name>ImagesViewModel</name>
    <message>
        <location filename="../../gui/viewmodels/images_vm.py" line="+355"/>
        <source>Prefetch list set</source>
        <extracomment>Start-up profiles of the current repository&apos;s images, by plain tag.</extracomment>
        <translation>先読みリストを設定しました</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%1 prefetches %n file(s) first</source>
        <translation>
            <numerusform>%1 は %n ファイルを最初に先読みします</numerusform>
        </translation>
    </message>
    <message>
        <location line="+118"/>
        <location line="+124"/>
        <source>Conversion finished</source>
        <translation>変換が完了しました</translation>
    </message>
</context>
<context>
    <name>LabRunsModel</name>
    <message>
        <location filename="../../gui/models/lab_runs_model.py" line="+76"/>
        <source>When</source>
        <translation>日時</translation>
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
        <translation>回線</translation>
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
        <translation>高速化率</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>cancelled</source>
        <translation>キャンセル済み</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>failed</source>
        <translation>失敗</translation>
    </message>
</context>
<context>
    <name>LabView</name>
    <message>
        <location filename="../../gui/views/lab_view.py" line="+67"/>
        <location line="+188"/>
        <source>Cold-start lab</source>
        <translation>コールドスタートラボ</translation>
    </message>
    <message>
        <location line="-182"/>
        <source>Comparison</source>
        <translation>比較</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Two functions</source>
        <translation>2 つの関数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Two images</source>
        <translation>2 つのイメージ</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Compare:</source>
        <translation>比較対象：</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>A (baseline)</source>
        <translation>A（基準）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>B (accelerated)</source>
        <translation>B（高速化）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A (baseline):</source>
        <translation>A（基準）：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>B (accelerated):</source>
        <translation>B（高速化）：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Link profile</source>
        <translation>回線プロファイル</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Bandwidth and round-trip time of the emulated link between the registry and the function.</source>
        <translation>レジストリと関数の間でエミュレートする回線の帯域幅とラウンドトリップ時間です。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Link profile:</source>
        <translation>回線プロファイル：</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Cold starts per side</source>
        <translation>各側のコールドスタート回数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cold starts each:</source>
        <translation>各コールドスタート回数：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>How the two sides run</source>
        <translation>2 つの側の実行方法</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Both at once (a race)</source>
        <translation>両方同時（競争）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>One after the other</source>
        <translation>順番に</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Both at once: A and B start cold at the same moment, each pulling over an emulated link of its own, as two nodes would. One after the other: each cold start has the machine to itself.</source>
        <translation>両方同時: A と B が同時にコールドスタートし、2 台のノードのようにそれぞれ専用のエミュレート回線でプルします。順番に: 各コールドスタートがマシンを独占します。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Run:</source>
        <translation>実行：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Run comparison</source>
        <translation>比較を実行</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Lab progress</source>
        <translation>ラボの進行状況</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Comparison figures</source>
        <translation>比較結果の数値</translation>
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
        <translation>取得バイト数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Share of image</source>
        <translation>イメージに占める割合</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>On-demand fetches</source>
        <translation>オンデマンド取得</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Fallbacks</source>
        <translation>フォールバック</translation>
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
        <translation>履歴</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Export JSON…</source>
        <translation>JSON をエクスポート…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export PNG…</source>
        <translation>PNG をエクスポート…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete</source>
        <translation>削除</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Lab history</source>
        <translation>ラボの履歴</translation>
    </message>
    <message>
        <location line="+139"/>
        <source>Choose both A and B.</source>
        <translation>A と B の両方を選択してください。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>A and B are the same; choose two different ones.</source>
        <translation>A と B が同じです。異なるものを選択してください。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Running: %1 vs %2</source>
        <translation>実行中：%1 と %2</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+7"/>
        <source>Starting…</source>
        <translation>開始しています…</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>%1 run %2: %3 %4</source>
        <translation>%1 実行 %2: %3 %4</translation>
    </message>
    <message>
        <location line="+80"/>
        <source>%1 vs %2 — cancelled after %3 of %4 runs (the finished ones)</source>
        <translation>%1 対 %2 — %4 回中 %3 回でキャンセル（完了した分）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 vs %2 — failed after %3 of %4 runs: %5</source>
        <translation>%1 対 %2 — %4 回中 %3 回の後に失敗: %5</translation>
    </message>
    <message>
        <location line="-71"/>
        <source>Finished.</source>
        <translation>完了しました。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>The comparison failed: %1</source>
        <translation>比較に失敗しました: %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Cancelled.</source>
        <translation>キャンセルしました。</translation>
    </message>
    <message numerus="yes">
        <location line="+9"/>
        <source>The %n run(s) that finished are kept in the history.</source>
        <translation>
            <numerusform>完了した %n 回の実行は履歴に残ります。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+21"/>
        <source>No comparison yet: choose A and B and a link profile, then “Run comparison”.</source>
        <translation>比較はまだありません。A と B、回線プロファイルを選んで「比較を実行」を押してください。</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>%1 vs %2 — B starts about as fast as A (p50) over “%4”</source>
        <translation>%1 と %2 — 「%4」で B と A の起動はほぼ同じ速さ（p50）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 vs %2 — B starts %3× slower (p50) over “%4”</source>
        <translation>%1 と %2 — 「%4」で B の起動が %3 倍遅い（p50）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 vs %2 — B starts %3× faster (p50) over “%4”</source>
        <translation>%1 と %2 — 「%4」で B が %3 倍速く起動（p50）</translation>
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
        <translation>実行結果を JSON でエクスポート</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Export run as PNG</source>
        <translation>実行結果を PNG でエクスポート</translation>
    </message>
    <message>
        <location line="+11"/>
        <location line="+6"/>
        <source>Exported</source>
        <translation>エクスポートしました</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Export failed</source>
        <translation>エクスポートに失敗しました</translation>
    </message>
</context>
<context>
    <name>LabViewModel</name>
    <message>
        <location filename="../../gui/viewmodels/lab_vm.py" line="+181"/>
        <source>%1 and %2 start about as fast</source>
        <extracomment>A comparison that failed or was cancelled, with the runs that had finished (kept in the history, status &quot;failed&quot; or &quot;cancelled&quot;).</extracomment>
        <translation>%1 と %2 の起動速度はほぼ同じです</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%2 starts %3× slower than %1</source>
        <translation>%2 は %1 より %3 倍遅く起動します</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%2 starts %3× faster than %1</source>
        <translation>%2 は %1 より %3 倍速く起動します</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Cold-start comparison finished</source>
        <translation>コールドスタートの比較が完了しました</translation>
    </message>
</context>
<context>
    <name>LinkProfile</name>
    <message>
        <location filename="../../gui/format.py" line="-17"/>
        <source>Unshaped</source>
        <translation>制限なし</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Data center</source>
        <translation>データセンター</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Fast network</source>
        <translation>高速ネットワーク</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Broadband</source>
        <translation>ブロードバンド</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Slow network</source>
        <translation>低速ネットワーク</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../gui/main_window.py" line="-47"/>
        <source>Profile:</source>
        <translation>プロファイル：</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+80"/>
        <source>Profile</source>
        <translation>プロファイル</translation>
    </message>
    <message>
        <location line="-77"/>
        <source>Region:</source>
        <translation>リージョン：</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+76"/>
        <source>Region</source>
        <translation>リージョン</translation>
    </message>
    <message>
        <location line="-71"/>
        <source>Refresh (F5)</source>
        <translation>更新 (F5)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refresh</source>
        <translation>更新</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Navigation</source>
        <translation>ナビゲーション</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Functions</source>
        <translation>関数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Images</source>
        <translation>イメージ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cold-start lab</source>
        <translation>コールドスタートラボ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tasks</source>
        <translation>タスク</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Settings</source>
        <translation>設定</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Not started</source>
        <translation>未起動</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Connection</source>
        <translation>接続</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Live updates</source>
        <translation>ライブ更新</translation>
    </message>
    <message>
        <location line="+61"/>
        <source>Quit</source>
        <translation>終了</translation>
    </message>
    <message>
        <location line="+183"/>
        <location line="+19"/>
        <source>local</source>
        <translation>ローカル</translation>
    </message>
    <message>
        <location line="-1"/>
        <source>Profile: %1</source>
        <translation>プロファイル：%1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Region: %1</source>
        <translation>リージョン：%1</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Local server running</source>
        <translation>ローカルサーバー実行中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Connected</source>
        <translation>接続済み</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Starting the Local server…</source>
        <translation>ローカルサーバーを起動しています…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Connecting…</source>
        <translation>接続中…</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+17"/>
        <source>Stopping…</source>
        <translation>停止しています…</translation>
    </message>
    <message>
        <location line="-16"/>
        <location line="+1"/>
        <source>Not connected</source>
        <translation>未接続</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Waiting for a choice</source>
        <translation>選択を待っています</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Running</source>
        <translation>実行中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Running (started by another fcdesk or fcaccel serve)</source>
        <translation>実行中（別の fcdesk または fcaccel serve が起動）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Starting…</source>
        <translation>起動中…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Failed</source>
        <translation>失敗</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stopped</source>
        <translation>停止</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>● live</source>
        <translation>● ライブ</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>○ polling</source>
        <translation>○ ポーリング</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Updates arrive from the server&apos;s event stream.</source>
        <translation>更新はサーバーのイベントストリームから届きます。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Updates are polled.</source>
        <translation>更新は定期的に取得されます。</translation>
    </message>
    <message numerus="yes">
        <location line="+9"/>
        <source>%n job(s) running</source>
        <translation>
            <numerusform>%n 件のジョブを実行中</numerusform>
        </translation>
    </message>
    <message>
        <location line="+44"/>
        <source>Function created</source>
        <translation>関数を作成しました</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Function updated</source>
        <translation>関数を更新しました</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 is being deployed…</source>
        <translation>%1 をデプロイしています…</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>Delete function</source>
        <translation>関数の削除</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete the function “%1”?</source>
        <translation>関数「%1」を削除しますか？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This cannot be undone.</source>
        <translation>この操作は元に戻せません。</translation>
    </message>
</context>
<context>
    <name>Overview</name>
    <message>
        <location filename="../../gui/models/overview_model.py" line="+37"/>
        <source>Plain tag, twin exists</source>
        <extracomment>Filter value: rows with at least one problem.</extracomment>
        <translation>通常タグ（高速化版あり）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Stale twin</source>
        <translation>古い高速化版</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Acceleration off</source>
        <translation>アクセラレーション無効</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Conversion failed</source>
        <translation>変換失敗</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Never converted</source>
        <translation>未変換</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Image unreadable</source>
        <translation>読み取り不可</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Edition without acceleration</source>
        <translation>高速化のないエディション</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Multi-architecture</source>
        <translation>マルチアーキテクチャ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Image too large</source>
        <translation>イメージが大きすぎる</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Index-only mode</source>
        <translation>インデックスのみモード</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Public address</source>
        <translation>パブリックアドレス</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>VPC not linked</source>
        <translation>VPC 未関連付け</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Other region</source>
        <translation>別のリージョン</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No acceleration registry</source>
        <translation>高速化できないレジストリ</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Not redeployed</source>
        <translation>再デプロイが必要</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>access denied</source>
        <translation>アクセス拒否</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>not found</source>
        <translation>見つかりません</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>registry unreachable</source>
        <translation>レジストリに到達できません</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>invalid reference</source>
        <translation>無効な参照</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>registry error</source>
        <translation>レジストリのエラー</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>ready</source>
        <translation>準備完了</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>stale</source>
        <translation>古い</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>converting</source>
        <translation>変換中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>failed</source>
        <translation>失敗</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>none</source>
        <translation>なし</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>source gone</source>
        <translation>変換元なし</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>unknown</source>
        <translation>不明</translation>
    </message>
</context>
<context>
    <name>OverviewModel</name>
    <message>
        <location line="+102"/>
        <source>Function</source>
        <translation>関数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Profile</source>
        <translation>プロファイル</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Image</source>
        <translation>イメージ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Accelerated</source>
        <translation>高速化済み</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Twin</source>
        <translation>高速化版</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Problems</source>
        <translation>問題</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Since</source>
        <translation>発生日時</translation>
    </message>
    <message>
        <location line="+20"/>
        <location line="+141"/>
        <source>yes</source>
        <translation>はい</translation>
    </message>
    <message>
        <location line="-139"/>
        <location line="+139"/>
        <source>no</source>
        <translation>いいえ</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>no problems</source>
        <translation>問題なし</translation>
    </message>
</context>
<context>
    <name>OverviewView</name>
    <message>
        <location filename="../../gui/viewmodels/overview_text.py" line="+29"/>
        <source>Function %1: change the image from %2 to %3 (UpdateFunction).</source>
        <translation>関数 %1：イメージを %2 から %3 に変更します（UpdateFunction）。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Switch image acceleration on for repository %1 (CreateArtifactBuildRule): tags pushed from now on are converted.</source>
        <translation>リポジトリ %1 のイメージアクセラレーションを有効にします（CreateArtifactBuildRule）。今後プッシュされるタグが変換されます。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Convert %1:%2 into %1:%3 now, replacing the twin if there is one.</source>
        <translation>%1:%2 を今すぐ %1:%3 に変換します。既存の高速化版があれば置き換えます。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Redeploy function %1 with the same image %2, so that it starts the new twin.</source>
        <translation>同じイメージ %2 で関数 %1 を再デプロイし、新しい高速化版で起動するようにします。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>By hand: push %1:%2 again; the registry converts it (no API converts a tag that exists).</source>
        <translation>手動：%1:%2 を再度プッシュしてください。レジストリが変換します（既存のタグを変換する API はありません）。</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Switch to the twin…</source>
        <translation>高速化版に切替…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Re-convert…</source>
        <translation>再変換…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Switch acceleration on…</source>
        <translation>有効にする…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Convert now…</source>
        <translation>今すぐ変換…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Use the VPC address…</source>
        <translation>VPC アドレスを使う…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Redeploy…</source>
        <translation>再デプロイ…</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>an unknown time</source>
        <translation>不明な時点</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Runs the plain tag %1 although its accelerated twin %2 exists (since %3): every cold start pulls the whole image.</source>
        <translation>高速化版 %2 があるにもかかわらず（%3 以降）、通常タグ %1 で実行しています。コールドスタートのたびにイメージ全体をプルします。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Switching is not offered while the twin is %1.</source>
        <translation>高速化版が %1 の間は切り替えできません。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The accelerated image was converted from %1, but %2 now points at %3 (pushed %4): a cold start would run old code.</source>
        <translation>高速化イメージは %1 から変換されましたが、%2 は現在 %3 を指しています（%4 にプッシュ）。コールドスタートすると古いコードが実行されます。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>an older image</source>
        <translation>古いイメージ</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Deployed with %1, but %2 now points at %3 (since %4): Function Compute runs the digest recorded at deployment, so the function fails until it is redeployed.</source>
        <translation>%1 でデプロイされましたが、%2 は現在 %3 を指しています（%4 以降）。Function Compute はデプロイ時に記録したダイジェストを実行するため、再デプロイするまで関数は失敗します。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>No acceleration rule covers repository %1 (neither the repository nor its namespace): pushed images are not converted.</source>
        <translation>リポジトリ %1 を対象とするアクセラレーションルールがありません（リポジトリにも名前空間にもありません）。プッシュされたイメージは変換されません。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Converting %1 failed: %2</source>
        <translation>%1 の変換に失敗しました：%2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>no reason given</source>
        <translation>理由不明</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Acceleration is on, but %1 was pushed before it was switched on and has never been converted.</source>
        <translation>アクセラレーションは有効ですが、%1 は有効化前にプッシュされたため、一度も変換されていません。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>This profile cannot read %1: %2.</source>
        <translation>このプロファイルでは %1 を読み取れません：%2。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>switch the function to the twin.</source>
        <translation>関数を高速化版に切り替えます。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>convert the tag again, then redeploy the function.</source>
        <translation>タグを再変換してから関数を再デプロイします。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>switch acceleration on for the repository.</source>
        <translation>リポジトリの高速化をオンにします。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>remove what the reason names from the image, then convert again.</source>
        <translation>理由に示されたものをイメージから取り除いてから、再変換します。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>convert the tag (on Alibaba Cloud: push it again; tags pushed before the rule are not converted).</source>
        <translation>タグを変換します (Alibaba Cloud ではもう一度プッシュします。ルール作成前にプッシュされたタグは変換されません)。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>check the image address and that this profile may read it.</source>
        <translation>イメージのアドレスと、このプロファイルが読み取れることを確認します。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>use a Standard or Advanced instance (upgrade this one, or push the image to another).</source>
        <translation>Standard または Advanced インスタンスを使います (このインスタンスをアップグレードするか、別のインスタンスにプッシュします)。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>push a single-platform image (for example linux/amd64).</source>
        <translation>単一プラットフォームのイメージ (例: linux/amd64) をプッシュします。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>make the image smaller, or use an Advanced instance (up to 10 GB).</source>
        <translation>イメージを小さくするか、Advanced インスタンス (最大 10 GB) を使います。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>switch the repository&apos;s acceleration to full mode in the Container Registry console, then push the tag again.</source>
        <translation>Container Registry コンソールでリポジトリの高速化を完全モードに切り替えてから、タグをもう一度プッシュします。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>use the instance&apos;s VPC address for the image.</source>
        <translation>イメージにはインスタンスの VPC アドレスを使います。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>link the function&apos;s VPC to the instance (Container Registry console, Access Control, VPC).</source>
        <translation>関数の VPC をインスタンスに関連付けます (Container Registry コンソールの「アクセス制御」→「VPC」)。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>push the image to an instance in the function&apos;s region.</source>
        <translation>関数と同じリージョンのインスタンスにイメージをプッシュします。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>push the image to a Container Registry Enterprise instance with acceleration on.</source>
        <translation>高速化をオンにした Container Registry Enterprise インスタンスにイメージをプッシュします。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>redeploy the function with the same image.</source>
        <translation>同じイメージで関数を再デプロイします。</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>The registry instance is a Basic edition, which has no image acceleration.</source>
        <translation>レジストリインスタンスは Basic エディションで、イメージ高速化がありません。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 is a multi-architecture image (an index): the registry does not convert those.</source>
        <translation>%1 はマルチアーキテクチャイメージ (インデックス) です。レジストリはこれを変換しません。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The image is %1 compressed; the %2 edition converts images of up to %3.</source>
        <translation>イメージは圧縮後 %1 です。%2 エディションが変換できるのは %3 までです。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The repository converts in index-only mode, whose twins Function Compute cannot use.</source>
        <translation>リポジトリはインデックスのみモードで変換しており、その高速化版は Function Compute で使えません。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The function pulls through the instance&apos;s public address; functions pull through its VPC address (%1).</source>
        <translation>関数はインスタンスのパブリックアドレスからプルしています。関数は VPC アドレス (%1) からプルします。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The function&apos;s VPC %1 is not linked to the registry instance&apos;s VPC endpoint: the pull is refused.</source>
        <translation>関数の VPC %1 がレジストリインスタンスの VPC エンドポイントに関連付けられていないため、プルが拒否されます。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The image is in a registry instance in %1; the function runs in %2.</source>
        <translation>イメージは %1 のレジストリインスタンスにあり、関数は %2 で動いています。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The image is in a Personal edition registry, which has no image acceleration.</source>
        <translation>イメージは個人版レジストリにあり、イメージ高速化がありません。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The image is not in a Container Registry Enterprise instance: nothing converts it.</source>
        <translation>イメージは Container Registry Enterprise インスタンスにないため、変換されません。</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/problem_card.py" line="+62"/>
        <source>What to do: %1</source>
        <translation>対処: %1</translation>
    </message>
    <message>
        <location filename="../../gui/views/overview_view.py" line="+164"/>
        <location line="+154"/>
        <source>Acceleration overview</source>
        <translation>高速化の概要</translation>
    </message>
    <message>
        <location line="-150"/>
        <source>Run overview</source>
        <translation>概要を取得</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Inspect the chosen profiles and regions (F5)</source>
        <translation>選択したプロファイルとリージョンを調べます (F5)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export CSV…</source>
        <translation>CSV をエクスポート…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The rows shown, as CSV</source>
        <translation>表示中の行を CSV で</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export JSON…</source>
        <translation>JSON をエクスポート…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The whole report, as JSON</source>
        <translation>レポート全体を JSON で</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Filter by function, image or problem</source>
        <translation>関数、イメージ、問題で絞り込み</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Problem</source>
        <translation>問題</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All functions</source>
        <translation>すべての関数</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+11"/>
        <source>With problems</source>
        <translation>問題あり</translation>
    </message>
    <message>
        <location line="-6"/>
        <source>Profile</source>
        <translation>プロファイル</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>All</source>
        <translation>すべて</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Overview progress</source>
        <translation>概要の進行状況</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Profiles and regions</source>
        <translation>プロファイルとリージョン</translation>
    </message>
    <message>
        <location line="-53"/>
        <location line="+54"/>
        <source>Profiles and regions to inspect</source>
        <translation>調べるプロファイルとリージョン</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Functions and their acceleration</source>
        <translation>関数とそのアクセラレーション</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="-437"/>
        <location filename="../../gui/views/overview_view.py" line="+67"/>
        <source>Overview</source>
        <translation>高速化の概要</translation>
    </message>
    <message>
        <location filename="../../gui/views/overview_view.py" line="+85"/>
        <source>Choose profiles and regions</source>
        <translation>プロファイルとリージョンを選択</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 profiles and regions</source>
        <translation>%1 件のプロファイルとリージョン</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Nothing chosen</source>
        <translation>未選択</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>All profiles</source>
        <translation>すべてのプロファイル</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Could not inspect %1</source>
        <translation>調査できませんでした：%1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>(and %1 more)</source>
        <translation>（ほか %1 件）</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Inspecting functions…</source>
        <translation>関数を調べています…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Choose profiles and regions on the left, then run the overview.</source>
        <translation>左側でプロファイルとリージョンを選び、概要を取得してください。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 of %2 function(s) shown, inspected %3</source>
        <translation>%2 個中 %1 個の関数を表示、調査日時 %3</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>could not inspect %1</source>
        <translation>調査できなかった対象：%1</translation>
    </message>
    <message>
        <location line="+66"/>
        <source>Converting %1… %2</source>
        <translation>%1 を変換しています… %2</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Function %1 updated; waiting until it is ready…</source>
        <translation>関数 %1 を更新しました。準備ができるまで待っています…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Acceleration switched on for %1</source>
        <translation>%1 のアクセラレーションを有効にしました</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Conversion of %1 queued</source>
        <translation>%1 の変換をキューに追加しました</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Fixed</source>
        <translation>修正しました</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Fix failed</source>
        <translation>修正に失敗しました</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Export CSV</source>
        <translation>CSV をエクスポート</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Export JSON</source>
        <translation>JSON をエクスポート</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Exported</source>
        <translation>エクスポートしました</translation>
    </message>
</context>
<context>
    <name>Palette</name>
    <message>
        <location filename="../../gui/palette.py" line="+111"/>
        <source>Function · %1</source>
        <translation>関数 · %1</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Open Functions</source>
        <translation>関数を開く</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open Images</source>
        <translation>イメージを開く</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open Cold-start lab</source>
        <translation>コールドスタート・ラボを開く</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open Tasks</source>
        <translation>タスクを開く</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open Settings</source>
        <translation>設定を開く</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open Overview</source>
        <translation>概要を開く</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open Demo mode</source>
        <translation>デモモードを開く</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Create function…</source>
        <translation>関数を作成…</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Compare %1 in the lab</source>
        <translation>%1 をラボで比較</translation>
    </message>
    <message>
        <location line="+131"/>
        <location line="+42"/>
        <source>Could not open %1</source>
        <translation>%1 を開けませんでした</translation>
    </message>
    <message>
        <location line="-40"/>
        <source>Connecting to %1 failed: %2</source>
        <translation>%1 への接続に失敗しました：%2</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>%1 does not list it (any more).</source>
        <translation>%1 にはもう見当たりません。</translation>
    </message>
    <message>
        <location line="-228"/>
        <location line="+64"/>
        <source>Repository · %1</source>
        <translation>リポジトリ · %1</translation>
    </message>
    <message>
        <location line="-55"/>
        <location line="+65"/>
        <source>Tag · %1</source>
        <translation>タグ · %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Convert %1 into %2</source>
        <translation>%1 を %2 に変換</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Task %1 · %2</source>
        <translation>タスク %1 · %2</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Switch to profile %1</source>
        <translation>プロファイル %1 に切り替え</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Profile</source>
        <translation>プロファイル</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>%1 can be converted once the console is connected.</source>
        <translation>%1 は接続後に変換できます。</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>%1 opens once the console is connected.</source>
        <translation>%1 は接続後に開きます。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Not connected</source>
        <translation>未接続</translation>
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
        <translation>関数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Repository</source>
        <translation>リポジトリ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tag</source>
        <translation>タグ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Task</source>
        <translation>タスク</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Profile</source>
        <translation>プロファイル</translation>
    </message>
    <message>
        <location line="+76"/>
        <location line="+14"/>
        <source>Find anything</source>
        <translation>何でも検索</translation>
    </message>
    <message>
        <location line="-2"/>
        <source>Functions, repositories, tags, tasks, actions… (Esc closes)</source>
        <translation>関数、リポジトリ、タグ、タスク、操作… (Esc で閉じる)</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Results</source>
        <translation>結果</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>%1 of %2 — ↑↓ choose, Enter opens, Esc closes</source>
        <translation>%2 件中 %1 件 — ↑↓ で選択、Enter で開く、Esc で閉じる</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 items — type a few letters</source>
        <translation>%1 項目 — 数文字入力してください</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>reading every repository&apos;s tags…</source>
        <translation>全リポジトリのタグを読み込み中…</translation>
    </message>
</context>
<context>
    <name>Phase</name>
    <message>
        <location filename="../../gui/format.py" line="-17"/>
        <source>resolve</source>
        <translation>解決</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>pull</source>
        <translation>プル</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>unpack</source>
        <translation>展開</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>mount</source>
        <translation>マウント</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>start</source>
        <translation>起動</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>first-invoke</source>
        <translation>初回呼び出し</translation>
    </message>
</context>
<context>
    <name>PriorityFileDialog</name>
    <message>
        <location filename="../../gui/dialogs/priority_file_dialog.py" line="+42"/>
        <source>Set the prefetch list</source>
        <translation>先読みリストの設定</translation>
    </message>
    <message numerus="yes">
        <location line="+6"/>
        <source>The acceleration rule of &lt;b&gt;%1&lt;/b&gt; will prefetch these %n file(s) first (PriorityFile):</source>
        <translation>
            <numerusform>&lt;b&gt;%1&lt;/b&gt; の高速化ルールは次の %n ファイルを最初に先読みします（PriorityFile）:</numerusform>
        </translation>
    </message>
    <message>
        <location line="+11"/>
        <source>From %1</source>
        <translation>出典: %1</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Files to prefetch</source>
        <translation>先読みするファイル</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The current rule is replaced: it is deleted and created again with the same settings and this list (a rule cannot be changed in place).</source>
        <translation>現在のルールは置き換えられます: 同じ設定とこのリストで削除・再作成されます（ルールはその場で変更できません）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Acceleration is off for this repository: this switches it on.</source>
        <translation>このリポジトリの高速化はオフです: これによりオンになります。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Tags pushed afterwards are converted with it; existing tags need a new conversion.</source>
        <translation>以降にプッシュされたタグはこのリストで変換されます。既存のタグは再変換が必要です。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Set prefetch list</source>
        <translation>先読みリストを設定</translation>
    </message>
</context>
<context>
    <name>ProfileDialog</name>
    <message>
        <location filename="../../gui/dialogs/profile_dialog.py" line="+99"/>
        <source>Add Alibaba Cloud profile</source>
        <translation>Alibaba Cloud プロファイルを追加</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Add OCI registry profile</source>
        <translation>OCI レジストリプロファイルを追加</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Profile name</source>
        <translation>プロファイル名</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Profile name:</source>
        <translation>プロファイル名：</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Region</source>
        <translation>リージョン</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Region:</source>
        <translation>リージョン：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>for the invoke endpoint (optional)</source>
        <translation>呼び出しエンドポイント用（任意）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Account id</source>
        <translation>アカウント ID</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Account id:</source>
        <translation>アカウント ID：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>AccessKey stored securely</source>
        <translation>安全に保存された AccessKey</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Environment variables</source>
        <translation>環境変数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>aliyun CLI profile</source>
        <translation>aliyun CLI のプロファイル</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Credential source</source>
        <translation>認証情報の取得元</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Credentials:</source>
        <translation>認証情報：</translation>
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
        <translation>ACR インスタンス ID</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ACR instance (optional):</source>
        <translation>ACR インスタンス（任意）：</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Registry URL</source>
        <translation>レジストリ URL</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Registry URL:</source>
        <translation>レジストリ URL：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>User name</source>
        <translation>ユーザー名</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>User name:</source>
        <translation>ユーザー名：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Password or token</source>
        <translation>パスワードまたはトークン</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Password or token:</source>
        <translation>パスワードまたはトークン：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Allow plain HTTP / unverified TLS</source>
        <translation>HTTP / 未検証の TLS を許可</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Secrets are kept in the system keyring (or the store you chose in Settings), never in the settings file. The credentials are checked with the service before the profile is saved.</source>
        <translation>シークレットはシステムのキーリング（または設定で選んだ保存先）に保存され、設定ファイルには書かれません。プロファイルを保存する前に、認証情報をサービスに確認します。</translation>
    </message>
    <message>
        <location line="+17"/>
        <location line="+83"/>
        <source>Check and save</source>
        <translation>確認して保存</translation>
    </message>
    <message>
        <location line="-82"/>
        <source>Save without checking</source>
        <translation>確認せずに保存</translation>
    </message>
    <message>
        <location line="+72"/>
        <source>Enter the AccessKey secret.</source>
        <translation>AccessKey Secret を入力してください。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Checking…</source>
        <translation>確認中…</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Profile names have 1–64 letters, digits, spaces or ._@+- characters.</source>
        <translation>プロファイル名には英数字、スペース、._@+- を 1～64 文字で使用できます。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>“Local” is reserved; choose another name.</source>
        <translation>「Local」は予約されています。別の名前を選んでください。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A profile with this name exists; choose another name.</source>
        <translation>この名前のプロファイルは既にあります。別の名前を選んでください。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter a region id such as cn-hangzhou.</source>
        <translation>cn-hangzhou などのリージョン ID を入力してください。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The account id has digits only.</source>
        <translation>アカウント ID は数字のみです。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter the AccessKey id.</source>
        <translation>AccessKey ID を入力してください。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter an http(s) URL.</source>
        <translation>http(s) の URL を入力してください。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ACR instance ids look like cri-xxxx.</source>
        <translation>ACR インスタンス ID は cri-xxxx の形式です。</translation>
    </message>
</context>
<context>
    <name>PushDialog</name>
    <message>
        <location filename="../../gui/dialogs/push_dialog.py" line="+90"/>
        <source>Push an image into %1</source>
        <translation>%1 にイメージをプッシュ</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Push with any of these commands (from a saved image archive, a local podman image, or directories as layers). With acceleration on for this repository, the tag is converted into its _accelerated twin as soon as it arrives.</source>
        <translation>次のいずれかのコマンドでプッシュします（保存したイメージアーカイブ、ローカルの podman イメージ、またはレイヤーにするディレクトリから）。このリポジトリで高速化がオンなら、タグは届いた時点で _accelerated 版に変換されます。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Tag:</source>
        <translation>タグ：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Tag to push</source>
        <translation>プッシュするタグ</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Copy</source>
        <translation>コピー</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Copy the %1 command</source>
        <translation>%1 コマンドをコピー</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Log in with the registry user name and password set for this instance (Container Registry console › Access credentials); the tools ask for the password.</source>
        <translation>このインスタンスに設定したレジストリのユーザー名とパスワードでログインします（Container Registry コンソール › アクセス認証情報）。パスワードはツールが尋ねます。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The commands carry this registry&apos;s login; the secret is masked here and included when you copy a command.</source>
        <translation>コマンドにはこのレジストリのログイン情報が含まれます。シークレットはここでは伏せ字で、コマンドをコピーすると含まれます。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Copied</source>
        <translation>コピーしました</translation>
    </message>
</context>
<context>
    <name>RaceChart</name>
    <message>
        <location filename="../../gui/widgets/race_chart.py" line="+53"/>
        <source>Cold-start race</source>
        <translation>コールドスタート対決</translation>
    </message>
</context>
<context>
    <name>RepositoriesModel</name>
    <message>
        <location filename="../../gui/models/repositories_model.py" line="+52"/>
        <source>Repository</source>
        <translation>リポジトリ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Acceleration</source>
        <translation>高速化</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Type</source>
        <translation>種類</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Modified</source>
        <translation>更新日時</translation>
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
        <translation>オン</translation>
    </message>
    <message>
        <location line="-7"/>
        <location line="+7"/>
        <source>Off</source>
        <translation>オフ</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Public</source>
        <translation>公開</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Private</source>
        <translation>非公開</translation>
    </message>
</context>
<context>
    <name>RunsChart</name>
    <message>
        <location filename="../../gui/widgets/timeline_chart.py" line="+177"/>
        <source>Cold-start time per run</source>
        <translation>実行ごとのコールドスタート時間</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Total per run (ms)</source>
        <translation>実行ごとの合計 (ms)</translation>
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
        <translation>システムキーリングがありません</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>This computer has no system keyring, so fcdesk cannot store secrets (the Local server&apos;s AccessKey, cloud AccessKeys, registry passwords) safely by default.

Keep them in a file only you can read (mode 0600), or keep them for this session only?</source>
        <translation>このコンピューターにはシステムキーリングがないため、fcdesk は既定ではシークレット（ローカルサーバーの AccessKey、クラウドの AccessKey、レジストリのパスワード）を安全に保存できません。

あなただけが読めるファイル（モード 0600）に保存しますか？それともこのセッションの間だけ保持しますか？</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Use a private file</source>
        <translation>専用ファイルを使用</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This session only</source>
        <translation>このセッションのみ</translation>
    </message>
</context>
<context>
    <name>SeedBanner</name>
    <message>
        <location filename="../../gui/widgets/seed_banner.py" line="+123"/>
        <source>Demo preparation progress</source>
        <translation>デモの準備の進捗</translation>
    </message>
    <message>
        <location line="+13"/>
        <location line="+1"/>
        <source>Dismiss</source>
        <translation>閉じる</translation>
    </message>
</context>
<context>
    <name>SeedStatus</name>
    <message>
        <location filename="../../gui/viewmodels/seed_vm.py" line="+54"/>
        <source>building the small image</source>
        <translation>小さなイメージをビルド中</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>building the image</source>
        <translation>イメージをビルド中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>converting</source>
        <translation>変換中</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>converting for on-demand loading</source>
        <translation>オンデマンド読み込み用に変換中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>recording the start-up profile</source>
        <translation>起動時に読み込むファイルを記録中</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>converting in start-up order</source>
        <translation>起動時の読み込み順に変換中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>switching the demo functions</source>
        <translation>デモ関数を切り替え中</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>ready</source>
        <translation>準備完了</translation>
    </message>
    <message>
        <location line="+126"/>
        <source>Preparing the realistic demo image…</source>
        <translation>本格的なデモイメージを準備中…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Seeding the demo…</source>
        <translation>デモを作成中…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The realistic demo image is ready</source>
        <translation>本格的なデモイメージの準備ができました</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The demo is ready</source>
        <translation>デモの準備ができました</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The realistic demo image could not be prepared</source>
        <translation>本格的なデモイメージを準備できませんでした</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The demo could not be seeded</source>
        <translation>デモを作成できませんでした</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Realistic demo ready</source>
        <translation>本格的なデモの準備完了</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Demo ready</source>
        <translation>デモの準備完了</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Realistic demo image failed</source>
        <translation>本格的なデモイメージの作成に失敗</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Demo seeding failed</source>
        <translation>デモの作成に失敗</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>step %1 of %2 (%3)</source>
        <translation>ステップ %1/%2（%3）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>%1 of %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>%1 and %2 run the small image %3 until %4 is ready, then switch to it by themselves. On the small image acceleration has little to save; compare cold starts once the switch is done.</source>
        <translation>%1 と %2 は、%4 の準備ができるまで小さなイメージ %3 で動作し、準備ができると自動的に切り替わります。小さなイメージではアクセラレーションの効果はほとんどないため、切り替え後にコールドスタートを比較してください。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>The Local server is creating %1 and the functions %2 and %3.</source>
        <translation>ローカルサーバーが %1 と関数 %2、%3 を作成しています。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>no reason given</source>
        <translation>理由は示されていません</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The small demo still works: %1 and %2 keep running %3, on which acceleration has little to save. Restarting the Local server tries again.</source>
        <translation>小さなデモは引き続き使えます。%1 と %2 は %3 のまま動作しますが、このイメージではアクセラレーションの効果はほとんどありません。ローカルサーバーを再起動すると再試行します。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Your own functions and images are not affected. Restarting the Local server tries again.</source>
        <translation>ご自身の関数とイメージには影響ありません。ローカルサーバーを再起動すると再試行します。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Reason: %1</source>
        <translation>理由：%1</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1 and %2 now run %3, an image worth accelerating: compare their cold starts in the Cold-start lab.</source>
        <translation>%1 と %2 は、高速化の効果が大きいイメージ %3 で動作するようになりました。コールドスタートラボでコールドスタートを比較してください。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>%1 and %2 run %3.</source>
        <translation>%1 と %2 は %3 で動作しています。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The demo functions switch to the realistic image %1 when it is ready. Until then they run the small image %2, on which acceleration has little to save.</source>
        <translation>デモ関数は、本格的なイメージ %1 の準備ができると自動的に切り替わります。それまでは小さなイメージ %2 で動作し、アクセラレーションの効果はほとんどありません。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Preparing it: step %1 of %2.</source>
        <translation>準備中：ステップ %1/%2。</translation>
    </message>
</context>
<context>
    <name>SeedStatusIndicator</name>
    <message>
        <location filename="../../gui/widgets/seed_banner.py" line="-69"/>
        <source>Demo preparation progress</source>
        <translation>デモの準備の進捗</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Preparing the realistic demo</source>
        <translation>本格的なデモを準備中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Seeding the demo</source>
        <translation>デモを作成中</translation>
    </message>
</context>
<context>
    <name>SettingsView</name>
    <message>
        <location filename="../../gui/views/settings_view.py" line="+54"/>
        <location line="+135"/>
        <source>Settings</source>
        <translation>設定</translation>
    </message>
    <message>
        <location line="-130"/>
        <location line="+3"/>
        <source>Profiles</source>
        <translation>プロファイル</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Add Alibaba Cloud…</source>
        <translation>Alibaba Cloud を追加…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add OCI registry…</source>
        <translation>OCI レジストリを追加…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Switch to</source>
        <translation>切り替え</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Make default</source>
        <translation>既定にする</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove</source>
        <translation>削除</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Secrets</source>
        <translation>シークレット</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>System keyring (recommended)</source>
        <translation>システムキーリング（推奨）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A file readable only by you (mode 0600) in the configuration folder</source>
        <translation>設定フォルダ内の、あなただけが読めるファイル（モード 0600）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Keep secrets for this session only (enter them again next time)</source>
        <translation>このセッションの間だけ保持（次回は再入力）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Appearance</source>
        <translation>外観</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Language</source>
        <translation>言語</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>System language</source>
        <translation>システムの言語</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Language:</source>
        <translation>言語：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Theme</source>
        <translation>テーマ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Follow the system</source>
        <translation>システムに従う</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Light</source>
        <translation>ライト</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dark</source>
        <translation>ダーク</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Theme:</source>
        <translation>テーマ：</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+113"/>
        <source>Local server</source>
        <translation>ローカルサーバー</translation>
    </message>
    <message>
        <location line="-109"/>
        <source>Data directory</source>
        <translation>データディレクトリ</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Browse…</source>
        <translation>参照…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Set with --data-dir when fcdesk was started (for this session only).</source>
        <translation>fcdesk の起動時に --data-dir で指定されています（このセッションのみ）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Data directory:</source>
        <translation>データディレクトリ：</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>any free port</source>
        <translation>空いているポート</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Port</source>
        <translation>ポート</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Port:</source>
        <translation>ポート：</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Restart server</source>
        <translation>サーバーを再起動</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>State:</source>
        <translation>状態：</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>fcdesk %1 — Function Compute and image acceleration console</source>
        <translation>fcdesk %1 — Function Compute とイメージアクセラレーションのコンソール</translation>
    </message>
    <message>
        <location line="+55"/>
        <source>A system keyring is available.</source>
        <translation>システムキーリングを利用できます。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No system keyring is available on this computer. Choose where secrets go: a private file, or this session only.</source>
        <translation>このコンピューターではシステムキーリングを利用できません。シークレットの保存先として、専用ファイルかこのセッションのみのいずれかを選んでください。</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Alibaba Cloud</source>
        <translation>Alibaba Cloud</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>OCI registry</source>
        <translation>OCI レジストリ</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>default</source>
        <translation>既定</translation>
    </message>
    <message>
        <location line="+58"/>
        <source>Remove profile</source>
        <translation>プロファイルの削除</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove the profile “%1” and its stored secrets?</source>
        <translation>プロファイル「%1」と保存済みのシークレットを削除しますか？</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>The language changes after a restart.</source>
        <translation>言語の変更は再起動後に反映されます。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Local server data directory</source>
        <translation>ローカルサーバーのデータディレクトリ</translation>
    </message>
</context>
<context>
    <name>TagsModel</name>
    <message>
        <location filename="../../gui/models/tags_model.py" line="+369"/>
        <source>Tag</source>
        <translation>タグ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Twin</source>
        <translation>高速化版</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Acceleration</source>
        <translation>アクセラレーション</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Size</source>
        <translation>サイズ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Updated</source>
        <translation>更新日時</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Digest</source>
        <translation>ダイジェスト</translation>
    </message>
    <message>
        <location line="+54"/>
        <source>source: %1</source>
        <translation>変換元：%1</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Accelerated image</source>
        <translation>高速化イメージ</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Ready</source>
        <translation>準備完了</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Queued</source>
        <translation>待機中</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Converting</source>
        <translation>変換中</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Converting %1%</source>
        <translation>変換中 %1%</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Failed</source>
        <translation>失敗</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>None</source>
        <translation>なし</translation>
    </message>
</context>
<context>
    <name>TasksModel</name>
    <message>
        <location filename="../../gui/models/tasks_model.py" line="+64"/>
        <source>Image</source>
        <translation>イメージ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status</source>
        <translation>ステータス</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Progress</source>
        <translation>進行状況</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Started</source>
        <translation>開始日時</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Task</source>
        <translation>タスク</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Pending</source>
        <translation>保留中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Building</source>
        <translation>ビルド中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Succeeded</source>
        <translation>成功</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Failed</source>
        <translation>失敗</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancelled</source>
        <translation>キャンセル済み</translation>
    </message>
</context>
<context>
    <name>TasksView</name>
    <message>
        <location filename="../../gui/views/tasks_view.py" line="+63"/>
        <location line="+20"/>
        <source>Conversion tasks</source>
        <translation>変換タスク</translation>
    </message>
    <message>
        <location line="-16"/>
        <source>Running only</source>
        <translation>実行中のみ</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Refresh</source>
        <translation>更新</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cancel task</source>
        <translation>タスクをキャンセル</translation>
    </message>
    <message>
        <location line="+37"/>
        <location line="+73"/>
        <source>Log</source>
        <translation>ログ</translation>
    </message>
    <message>
        <location line="-66"/>
        <source>Task log</source>
        <translation>タスクログ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Select a task to follow its log.</source>
        <translation>タスクを選択すると、そのログを表示します。</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+82"/>
        <source>No conversion tasks. Switch image acceleration on for a repository in Images; each pushed tag then converts here.</source>
        <translation>変換タスクはありません。イメージ画面でリポジトリのイメージアクセラレーションを有効にすると、プッシュされたタグがここで変換されます。</translation>
    </message>
    <message>
        <location line="-61"/>
        <source>Tasks</source>
        <translation>タスク</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Log of %1</source>
        <translation>%1 のログ</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>This profile cannot list conversion tasks. Each tag&apos;s conversion state and progress is shown next to it in Images.</source>
        <translation>このプロファイルでは変換タスクを一覧表示できません。各タグの変換状態と進捗は「イメージ」でタグの横に表示されます。</translation>
    </message>
</context>
<context>
    <name>TasksViewModel</name>
    <message>
        <location filename="../../gui/viewmodels/tasks_vm.py" line="+79"/>
        <source>Optimized conversion finished</source>
        <translation>最適化変換が完了しました</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1, start-up files first</source>
        <translation>%1（起動時に読むファイルを先頭に配置）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Conversion finished</source>
        <translation>変換が完了しました</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Conversion failed</source>
        <translation>変換に失敗しました</translation>
    </message>
</context>
<context>
    <name>TimelineChart</name>
    <message>
        <location filename="../../gui/widgets/timeline_chart.py" line="-111"/>
        <source>Cold-start timelines</source>
        <extracomment>Events after which a chart takes the colours of the theme now in effect. With the application&apos;s style sheet, a theme change reaches shown widgets as PaletteChange or StyleChange, not as ApplicationPaletteChange (the charts stayed white in the dark theme).</extracomment>
        <translation>コールドスタートのタイムライン</translation>
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
        <translation>コールドスタートのフェーズ (ms)</translation>
    </message>
</context>
<context>
    <name>Toast</name>
    <message>
        <location filename="../../gui/widgets/toast.py" line="+59"/>
        <source>Dismiss notification</source>
        <translation>通知を閉じる</translation>
    </message>
</context>
<context>
    <name>WhyPanel</name>
    <message>
        <location filename="../../gui/widgets/why_panel.py" line="+40"/>
        <source>Checking why…</source>
        <translation>理由を確認中…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Could not check: %1</source>
        <translation>確認できませんでした: %1</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Nothing stands in the way of acceleration.</source>
        <translation>高速化を妨げるものはありません。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Its accelerated twin is being converted.</source>
        <translation>高速化版を変換中です。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No problem found.</source>
        <translation>問題は見つかりませんでした。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Accelerated twin ready, but:</source>
        <translation>高速化版は準備できていますが:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not accelerated, because:</source>
        <translation>高速化されていない理由:</translation>
    </message>
</context>
<context>
    <name>_DetailPanel</name>
    <message>
        <location filename="../../gui/views/overview_view.py" line="-572"/>
        <source>Function details</source>
        <translation>関数の詳細</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Select a function to see what is wrong and how to fix it.</source>
        <translation>関数を選択すると、問題点と修正方法を表示します。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Image</source>
        <translation>イメージ</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Runs accelerated image</source>
        <translation>高速化イメージで実行</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>yes</source>
        <translation>はい</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>no</source>
        <translation>いいえ</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Twin</source>
        <translation>高速化版</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Acceleration</source>
        <translation>アクセラレーション</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>on</source>
        <translation>オン</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>off</source>
        <translation>オフ</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>unknown</source>
        <translation>不明</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Function state</source>
        <translation>関数の状態</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>No problem found</source>
        <translation>問題は見つかりませんでした</translation>
    </message>
</context>
</TS>
